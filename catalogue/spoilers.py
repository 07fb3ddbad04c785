"""Spoilers in staff text: the HTML they are stored as, what the sanitising policy lets through for
them, and `without_spoilers()`, the text every summary, meta tag, feed and JSON-LD is made from.

Both forms are hidden until the reader reveals them, without JavaScript:

    <details class="spoiler"><summary>Spoiler: Episode 12 <span class="spoiler__show">(show)</span>
    <span class="spoiler__hide">(hide)</span></summary><div class="spoiler__body">…</div></details>

    <label class="spoiler-inline"><input type="checkbox" class="spoiler-inline__toggle"
    aria-label="Show spoiler"><span class="spoiler-inline__text">…</span></label>

An inline spoiler is not a `<details>`: a paragraph cannot hold one (the parser closes the `<p>`).
Its text is `visibility: hidden` until the box is ticked, so screen readers skip it too, and the
checkbox's own name says what it does. blog.markup writes both from Markdown (`||…||` and
`:::spoiler Label` … `:::`); staff HTML (product descriptions) may hold them as written.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

BLOCK_CLASS = "spoiler"
INLINE_CLASS = "spoiler-inline"

# Added to catalogue.staff_html's policy: the tags, and the only classes each may carry.
TAGS = {"details", "summary", "label", "input", "span", "div"}
CLASSES = {
    "details": {BLOCK_CLASS},
    "div": {"spoiler__body"},
    "span": {"spoiler__show", "spoiler__hide", "spoiler-inline__text"},
    "label": {INLINE_CLASS},
    "input": {"spoiler-inline__toggle"},
}
ATTRIBUTES = {"input": {"aria-label"}}
# Whatever staff write, an input in their text is a checkbox: never a field a form would send.
FORCED_ATTRIBUTES = {"input": {"type": "checkbox"}}

# Markers staff may type in plain-text fields, which cannot hide anything.
MARKERS = re.compile(r"\|\|.*?\|\||^:::\s*spoiler", re.MULTILINE | re.DOTALL)

_STRAY_INPUT = re.compile(r'<input\b(?![^>]*\bclass="spoiler-inline__toggle")[^>]*>', re.IGNORECASE)
_TAG = re.compile(r"<(/?)(details|label)\b([^>]*)>", re.IGNORECASE)
_CLASS = re.compile(r'\bclass="([^"]*)"')


def summary_text(label: str = "") -> str:
    """What a spoiler block's summary says (and screen readers announce with its state)."""
    return _("Spoiler: %(label)s") % {"label": label} if label else _("Spoiler")


# After the summary's name, one of these shows by the block's state (CSS hides the other, so
# screen readers too read only the one that is true).
SUMMARY_STATES = (("show", lambda: _("(show)")), ("hide", lambda: _("(hide)")))


def toggle_label() -> str:
    return _("Show spoiler")


def without_spoilers(html: str) -> str:
    """Sanitised HTML with every spoiler (block or inline, nested or not) taken out whole."""
    kept, start, skipping, depth = [], 0, None, 0
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if skipping is None:
            if not closing and _is_spoiler(name, match.group(3)):
                kept.append(html[start : match.start()])
                skipping, depth = name, 1
            continue
        if name == skipping:
            depth += -1 if closing else 1
            if depth == 0:
                skipping, start = None, match.end()
    if skipping is None:
        kept.append(html[start:])
    return "".join(kept)


def without_stray_inputs(html: str) -> str:
    """Sanitised HTML keeping only the inputs that reveal inline spoilers (the policy cannot say
    "only with this class" of a tag)."""
    return _STRAY_INPUT.sub("", html)


def has_markers(text: str) -> bool:
    """True when plain text holds spoiler syntax, which a plain-text field would show as it is."""
    return bool(MARKERS.search(text or ""))


def _is_spoiler(name: str, attributes: str) -> bool:
    match = _CLASS.search(attributes)
    classes = match.group(1).split() if match else []
    return (BLOCK_CLASS if name == "details" else INLINE_CLASS) in classes
