"""Spoiler syntax typed into staff HTML (TinyMCE), written out on save as catalogue.spoilers'
markup: the very HTML blog.markup makes of the same syntax in a post.

    <p>The finale: ||the fox was the teacher||.</p>     an inline spoiler, inside one element
    <p>:::spoiler Episode 12</p>                         a block: the paragraphs between a
    <p>Anything, further spoilers included.</p>          paragraph that says `:::spoiler Label`
    <p>:::</p>                                           (label optional) and one that says `:::`

An inline spoiler's two markers stand in the text of the same element: it may hold whole inline
elements (`||a <em>b</em> c||`), but markers split by a block boundary (`<p>||a</p><p>b||</p>`)
or by an element's edge (`<em>||a</em> b||`) stay literal, as an unpaired `||` does. Markers in
`<code>`, `<kbd>`, `<samp>` and `<pre>` stay literal. A block's fences are siblings; an unclosed
block runs to the end of its parent (nothing after it is shown by mistake).

A spoiler never sits inside a link (a click on it would follow the link, not reveal it):
`outside_links()` splits the link around it, the hidden words still linked inside. Both functions
take and give sanitised HTML (catalogue.staff_html), which this reads as a tree of its own: nh3
writes every attribute double-quoted and closes every element.
"""

from __future__ import annotations

import html as entities
import re
from dataclasses import dataclass, field

from django.utils.html import escape

from . import spoilers

VOID = {"area", "br", "col", "hr", "img", "input", "wbr"}
# Markers inside these are the text itself.
LITERAL = {"code", "kbd", "pre", "samp"}
# What an inline spoiler may hold whole: text-level elements (a link is split: outside_links()).
PHRASING = {
    "a", "abbr", "b", "br", "code", "del", "em", "i", "img", "kbd", "mark", "s", "samp", "small",
    "span", "strong", "sub", "sup",
}  # fmt: skip

_TOKEN = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"]|"[^"]*")*)>')
_ELEMENT, _BARRIER = "\ue000", "\ue001"  # an element an inline spoiler may hold; one it may not
_INLINE = re.compile(
    rf"\|\|(?=[^\s{_BARRIER}])([^{_BARRIER}]+?)(?<=[^\s{_BARRIER}])\|\|"
)  # the Markdown's pattern (blog.spoiler_markdown.INLINE), stopped by a barrier
_OPENER = re.compile(r"^:::\s*spoiler\b\s*(.*?)\s*$", re.DOTALL)
_CLOSER = re.compile(r"^:::$")


@dataclass(eq=False)  # found by identity: two empty paragraphs are still two
class Element:
    name: str
    attributes: str = ""  # as written in the start tag, with its leading space
    children: list = field(default_factory=list)  # Element or str (text, escaped as stored)


def written_out(html: str) -> str:
    """Sanitised HTML with its spoiler syntax written out as spoilers; the rest as it was."""
    if "||" not in html and ":::" not in html:
        return html
    root = _parse(html)
    root.children = _blocks(root.children)
    _inline(root)
    _lift_out_of_links(root)
    return _serialise(root)


def outside_links(html: str) -> str:
    """Sanitised HTML whose inline spoilers stand outside any link."""
    if spoilers.INLINE_CLASS not in html or "<a " not in html:
        return html
    root = _parse(html)
    _lift_out_of_links(root)
    return _serialise(root)


def _parse(html: str) -> Element:
    root = Element("")
    stack = [root]
    start = 0
    for match in _TOKEN.finditer(html):
        if match.start() > start:
            stack[-1].children.append(html[start : match.start()])
        start = match.end()
        closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
        if closing:
            # Well-formed input closes the innermost element; a stray end tag is dropped.
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].name == name:
                    del stack[depth:]
                    break
            continue
        element = Element(name, attributes.rstrip("/"))
        stack[-1].children.append(element)
        if name not in VOID:
            stack.append(element)
    if start < len(html):
        stack[-1].children.append(html[start:])
    return root


def _serialise(node) -> str:
    if isinstance(node, str):
        return node
    inner = "".join(_serialise(child) for child in node.children)
    if not node.name:
        return inner
    if node.name in VOID:
        return f"<{node.name}{node.attributes}>"
    return f"<{node.name}{node.attributes}>{inner}</{node.name}>"


def _text(node) -> str:
    """What a reader sees of a node: unescaped, spaces made plain, trimmed."""
    if isinstance(node, str):
        return entities.unescape(node)
    return "".join(_text(child) for child in node.children).replace("\xa0", " ").strip()


def _fence(node, pattern: re.Pattern) -> re.Match | None:
    if isinstance(node, Element) and node.name == "p":
        return pattern.match(_text(node))
    return None


def _blocks(children: list) -> list:
    out, n = [], 0
    while n < len(children):
        child = children[n]
        opener = _fence(child, _OPENER)
        if opener is None:
            if isinstance(child, Element) and child.name not in LITERAL:
                child.children = _blocks(child.children)
            out.append(child)
            n += 1
            continue
        depth, end = 1, len(children)
        for m in range(n + 1, len(children)):
            if _fence(children[m], _OPENER):
                depth += 1
            elif _fence(children[m], _CLOSER):
                depth -= 1
                if depth == 0:
                    end = m
                    break
        out.append(_block(opener.group(1), _blocks(children[n + 1 : end])))
        n = end + 1
    return out


def _block(label: str, body: list) -> Element:
    summary = Element("summary", "", [escape(spoilers.summary_text(" ".join(label.split()))) + " "])
    for state, words in spoilers.SUMMARY_STATES:
        summary.children.append(Element("span", f' class="spoiler__{state}"', [escape(words())]))
    return Element(
        "details",
        f' class="{spoilers.BLOCK_CLASS}"',
        [summary, Element("div", ' class="spoiler__body"', body)],
    )


def _inline_spoiler(children: list) -> Element:
    toggle = Element(
        "input",
        f' aria-label="{escape(spoilers.toggle_label())}" class="spoiler-inline__toggle"'
        ' type="checkbox"',
    )
    text = Element("span", ' class="spoiler-inline__text"', children)
    return Element("label", f' class="{spoilers.INLINE_CLASS}"', [toggle, text])


def _is_inline_spoiler(node) -> bool:
    return (
        isinstance(node, Element)
        and node.name == "label"
        and spoilers.INLINE_CLASS in node.attributes
    )


def _inline(element: Element) -> None:
    children = element.children
    flat, starts, offset = [], [], 0
    for child in children:
        if isinstance(child, str):
            piece = child.replace(_ELEMENT, "").replace(_BARRIER, "")
        else:
            piece = _ELEMENT if child.name in PHRASING else _BARRIER
        starts.append(offset)
        flat.append(piece)
        offset += len(piece)
    for match in reversed(list(_INLINE.finditer("".join(flat)))):
        first, last = _child_at(starts, match.start()), _child_at(starts, match.end() - 1)
        if not (isinstance(children[first], str) and isinstance(children[last], str)):
            continue
        if flat[first] != children[first] or flat[last] != children[last]:
            continue  # text holding a stand-in character (never typed): left as written
        open_at = match.start() - starts[first]
        close_at = match.end() - starts[last]
        if first == last:
            text = children[first]
            inner = [text[open_at + 2 : close_at - 2]]
        else:
            inner = [children[first][open_at + 2 :], *children[first + 1 : last]]
            inner.append(children[last][: close_at - 2])
        before, after = children[first][:open_at], children[last][close_at:]
        replacement = [before, _inline_spoiler([c for c in inner if c != ""]), after]
        children[first : last + 1] = [c for c in replacement if c != ""]
    for child in children:
        if (
            isinstance(child, Element)
            and child.name not in LITERAL
            and not _is_inline_spoiler(child)
        ):
            _inline(child)


def _child_at(starts: list[int], position: int) -> int:
    index = 0
    for n, start in enumerate(starts):
        if start <= position:
            index = n
        else:
            break
    return index


def _lift_out_of_links(root: Element) -> None:
    """Move every inline spoiler inside a link out of it: the link's parts around the spoiler
    stay links, and its hidden words are linked inside the spoiler (so are any elements between:
    `<a><em>a ||b||</em></a>` keeps "b" emphasised and linked)."""
    while True:
        path = _spoiler_in_link(root, [])
        if path is None:
            return
        *ancestors, label = path
        parent, grandparent = ancestors[-1], ancestors[-2]
        at = parent.children.index(label)
        text = label.children[-1]
        text.children = [Element(parent.name, parent.attributes, text.children)]
        parts = [
            Element(parent.name, parent.attributes, parent.children[:at]),
            label,
            Element(parent.name, parent.attributes, parent.children[at + 1 :]),
        ]
        kept = [part for part in parts if part is label or part.children]
        where = grandparent.children.index(parent)
        grandparent.children[where : where + 1] = kept


def _spoiler_in_link(node: Element, ancestors: list) -> list | None:
    """The path (root … parent, spoiler) to an inline spoiler with a link among its ancestors."""
    path = [*ancestors, node]
    for child in node.children:
        if isinstance(child, str):
            continue
        if _is_inline_spoiler(child):
            if any(a.name == "a" for a in path):
                return [*path, child]
            continue
        found = _spoiler_in_link(child, path)
        if found:
            return found
    return None
