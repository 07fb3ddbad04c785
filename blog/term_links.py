"""Glossary auto-links: the first mention of each term in sanitised HTML becomes a link to its
entry, with the term's short definition as a tooltip. A pure function, no database: callers run
it when text is saved or a term changes, never per request.

What counts as a mention
- Any of a term's names (its name, then its aliases), whole-word. A name written all in capitals
  ("NTR", "OVA") matches that exact case only; other names match in any case, and the reader's
  text stays as written ("Ita bag"). A plain "s" plural is part of the mention ("ita bags",
  "NTRs" link as a whole); "entr" or "NTRed" are not mentions. The spaces of a multi-word name
  match one space, no-break space or line break. Names holding characters of a script written
  without spaces (寝取られ) match anywhere, with no word boundary.
- Where two names start at one place the longer wins ("hard enamel pin" over "enamel").
- Only text nodes change, and only outside headings, links, code, preformatted text, keyboard
  and sample text, abbreviations and definitions, buttons, labels, summaries, form fields,
  scripts and styles, existing term links, and spoilers. Spoilers stay out entirely: a term met
  only in hidden text is neither linked nor reported, so "articles that use this term" cannot
  tell what the spoiler says. A name split across two elements ("N<b>TR</b>") is not a mention.
- `exclude` (the term's own page) is never linked, and its names still hold their place, so a
  shorter term inside them is not linked either.
- Linking linked HTML changes nothing: terms already linked (by their entry's URL) count as
  mentioned, and are reported again.

The markup (catalogue.term_markup) shows the definition without JavaScript:
- hover and keyboard focus: CSS shows the tooltip on `.term:hover` and `.term:focus-within`;
- screen readers: the link's `aria-describedby` names the `role="tooltip"` span, which is
  `display: none` until shown, so it is announced once, as the link's description;
- tap: on screens that cannot hover, a term's link takes no taps until the term has focus; the
  first tap lands on the wrapper (`tabindex="-1"`: focusable by pointer, not a Tab stop),
  which shows the definition, and a second tap follows the link. A withheld (mature or adult)
  term is only the link, with no definition anywhere in the HTML; a tap follows it at once;
- Escape hides an open definition, the focus and pointer staying put (static/shop/js/term-tips.js,
  the one script the tooltips have: a progressive enhancement).
Tooltip ids are `term-<slug>-<scope>`, the scope naming the text's owner (`post-12`,
`product-7`: blog.glossary_links): each term is linked once per text, and texts that meet on one
page (a product's description beside its franchise's) have different owners, so an id is unique
on the page and each link's `aria-describedby` names its own tooltip. The scope ends in the
owner's number, so no slug and scope run together into another's id. Without a scope (a preview
of an unsaved text) the id is `term-<slug>`.

Speed: the names of a term set become one regular expression (a trie per case rule, compiled
once per set of names and cached), and each text node is scanned once, whatever the number of
terms.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser

from catalogue import spoilers
from catalogue.term_markup import ID_PREFIX, LINK_CLASS, TIP_CLASS, WRAPPER_CLASS


@dataclass(frozen=True)
class TermRef:
    slug: str
    url: str  # the entry's URL, e.g. /glossary/ntr/
    names: tuple[str, ...]  # name first, then aliases
    definition: str  # short plain-text definition; "" when withheld
    withheld: bool  # mature/adult term: the page gets no definition, only the link


def link_terms(
    html: str, terms: Iterable[TermRef], *, exclude: str | None = None, scope: str = ""
) -> tuple[str, frozenset[str]]:
    """Link the first mention of each term in sanitised HTML, the tooltip ids ending in `scope`
    (the text's owner); returns the new HTML and the slugs linked."""
    terms = _unique_slugs(terms)
    matcher = matcher_for(tuple(tuple(term.names) for term in terms)) if terms else None
    if matcher is None or not html:
        return html, frozenset()
    by_url = {term.url: term.slug for term in terms}
    tokens = _tokens(html)
    linked = {by_url[href] for href in _term_link_hrefs(tokens) if href in by_url}
    wanted = {term.slug for term in terms} - {exclude}
    out: list[str] = []
    for raw, text in _text_runs(tokens):
        if text is None or text.isspace() or not (wanted - linked):
            out.append(raw)
            continue
        out.append(
            _link_run(raw, text, matcher, terms, linked=linked, exclude=exclude, scope=scope)
        )
    return "".join(out), frozenset(linked)


class Matcher:
    """One compiled pattern for a set of names, and which term each name belongs to."""

    def __init__(self, names_by_term: tuple[tuple[str, ...], ...]):
        self.exact: dict[str, int] = {}  # all-capital names, as written
        self.folded: dict[str, int] = {}  # the others, lower-cased
        for index, names in enumerate(names_by_term):
            for name in names:
                name = " ".join(str(name).split())
                if not name or len(name) > MAX_NAME:
                    continue
                if name.isupper():
                    self.exact.setdefault(name, index)
                else:
                    self.folded.setdefault(name.lower(), index)
        self.pattern = _compile(self.exact, self.folded)

    def scan(self, text: str):
        """Every mention in `text`, in order: (start, end, term index)."""
        for match in self.pattern.finditer(text):
            index = self.term_of(match.group())
            if index is not None:
                yield match.start(), match.end(), index

    def term_of(self, mention: str) -> int | None:
        name = " ".join(mention.split())
        for candidate in (name, name[:-1] if name[-1:] in "sS" else None):
            if candidate:
                found = self.exact.get(candidate, self.folded.get(candidate.lower()))
                if found is not None:
                    return found
        return None


MAX_NAME = 200


@functools.lru_cache(maxsize=16)
def matcher_for(names_by_term: tuple[tuple[str, ...], ...]) -> Matcher | None:
    """The cached matcher for these names (terms in order); None when there are none."""
    matcher = Matcher(names_by_term)
    return matcher if matcher.pattern is not None else None


# A letter or digit of a script written with spaces between words; names in scripts written
# without them (Japanese, Chinese, Thai, …) match with no word boundary.
_SPACELESS = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3100-\u312f\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f"
)
_WORD = rf"[^\W{_SPACELESS}]"
_IS_SPACELESS = re.compile(f"[{_SPACELESS}]")
_SEPARATOR = "[ \t\n\u00a0]"


def _compile(exact: dict[str, int], folded: dict[str, int]) -> re.Pattern | None:
    spaced_exact, spaceless_exact = _split_by_script(exact)
    spaced_folded, spaceless_folded = _split_by_script(folded)
    spaced = [f"(?:{_trie(spaced_exact)})s?"] if spaced_exact else []
    if spaced_folded:
        spaced.append(f"(?i:(?:{_trie(spaced_folded)})s?)")
    branches = [f"(?<!{_WORD})(?:{'|'.join(spaced)})(?!{_WORD})"] if spaced else []
    if spaceless_exact:
        branches.append(_trie(spaceless_exact))
    if spaceless_folded:
        branches.append(f"(?i:{_trie(spaceless_folded)})")
    return re.compile("|".join(branches)) if branches else None


def _split_by_script(names: Iterable[str]) -> tuple[list[str], list[str]]:
    spaced, spaceless = [], []
    for name in names:
        (spaceless if _IS_SPACELESS.search(name) else spaced).append(name)
    return spaced, spaceless


def _trie(names: list[str]) -> str:
    """The names as one pattern whose branches share their prefixes (fast to scan); at each
    place it prefers the longest name, and backtracks to shorter ones."""
    root: dict = {}
    for name in names:
        node = root
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}
    return _trie_pattern(root)


def _trie_pattern(node: dict) -> str:
    branches = [
        (_SEPARATOR if char == " " else re.escape(char)) + _trie_pattern(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
    return f"(?:{body})?" if "" in node else body


def _link_run(raw, text, matcher, terms, *, linked, exclude, scope) -> str:
    """A text node with its first mentions linked (the text re-escaped), or as it was."""
    pieces, start = [], 0
    for begin, end, index in matcher.scan(text):
        term = terms[index]
        if term.slug in linked or term.slug == exclude:
            continue
        linked.add(term.slug)
        mention = _markup(term, _escape_text(text[begin:end]), scope=scope)
        pieces += [_escape_text(text[start:begin]), mention]
        start = end
    if not pieces:
        return raw
    return "".join(pieces) + _escape_text(text[start:])


def _markup(term: TermRef, text: str, *, scope: str) -> str:
    href = _escape_attribute(term.url)
    definition = " ".join(term.definition.split())
    if term.withheld or not definition:
        return f'<a class="{LINK_CLASS}" href="{href}">{text}</a>'
    words = [*term.slug.split(), *scope.split()]
    tip_id = _escape_attribute(ID_PREFIX + "-".join(words))  # one id, never a list
    return (
        f'<span class="{WRAPPER_CLASS}" tabindex="-1">'
        f'<a class="{LINK_CLASS}" href="{href}" aria-describedby="{tip_id}">{text}</a>'
        f'<span class="{TIP_CLASS}" role="tooltip" id="{tip_id}">'
        f"{_escape_text(definition)}</span></span>"
    )


# Escaped as the sanitiser (html5ever) writes them, so sanitising linked HTML changes nothing.
def _escape_text(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\xa0", "&nbsp;")
    )


def _escape_attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("\xa0", "&nbsp;")


def _unique_slugs(terms: Iterable[TermRef]) -> tuple[TermRef, ...]:
    seen, unique = set(), []
    for term in terms:
        if term.slug and term.slug not in seen:
            seen.add(term.slug)
            unique.append(term)
    return tuple(unique)


# Parsing: the HTML as tokens, each with its exact source text, so that whatever is not a linked
# mention comes out byte for byte as it went in.

# Text inside these is never linked.
SKIPPED = {
    "a", "abbr", "button", "code", "dfn", "h1", "h2", "h3", "h4", "h5", "h6", "iframe", "kbd",
    "label", "math", "noscript", "object", "option", "pre", "samp", "script", "select", "style",
    "summary", "svg", "template", "textarea", "title",
}  # fmt: skip
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
}  # fmt: skip


@dataclass
class _Token:
    kind: str  # "start", "end", "text" or "other"
    start: int
    tag: str = ""
    attrs: tuple = ()
    text: str = ""
    raw: str = ""


class _Tokenizer(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tokens: list[_Token] = []
        self._line_starts = [0] + [newline.end() for newline in re.finditer("\n", html)]

    def _at(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        self.tokens.append(_Token("start", self._at(), tag=tag, attrs=tuple(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tokens.append(_Token("other", self._at(), tag=tag, attrs=tuple(attrs)))

    def handle_endtag(self, tag):
        self.tokens.append(_Token("end", self._at(), tag=tag))

    def handle_data(self, data):
        self.tokens.append(_Token("text", self._at(), text=data))

    def handle_comment(self, data):
        self.tokens.append(_Token("other", self._at()))

    handle_decl = handle_pi = unknown_decl = handle_comment


def _tokens(html: str) -> list[_Token]:
    tokenizer = _Tokenizer(html)
    tokenizer.feed(html)
    tokenizer.close()
    tokens = tokenizer.tokens
    ends = [token.start for token in tokens[1:]] + [len(html)]
    for token, end in zip(tokens, ends, strict=True):
        token.raw = html[token.start : end]
    if tokens and tokens[0].start:  # nothing the parser reported before the first token
        tokens[0].raw = html[: tokens[0].start] + tokens[0].raw
    return tokens


def _is_skipped(token: _Token) -> bool:
    if token.tag in SKIPPED:
        return True
    classes = (dict(token.attrs).get("class") or "").split()
    if token.tag == "details":
        return spoilers.BLOCK_CLASS in classes
    return token.tag == "span" and WRAPPER_CLASS in classes


def _term_link_hrefs(tokens: list[_Token]) -> list[str]:
    return [
        dict(token.attrs).get("href") or ""
        for token in tokens
        if token.kind == "start"
        and token.tag == "a"
        and LINK_CLASS in (dict(token.attrs).get("class") or "").split()
    ]


def _text_runs(tokens: list[_Token]):
    """(raw source, text) in order; text is None where nothing may be linked. Adjacent text
    tokens are one run; the open elements are tracked to know what the text is inside."""
    stack: list[tuple[str, bool]] = []
    skipped = 0
    run_raw: list[str] = []
    run_text: list[str] = []
    for token in tokens:
        if token.kind == "text" and not skipped:
            run_raw.append(token.raw)
            run_text.append(token.text)
            continue
        if run_raw:
            yield "".join(run_raw), "".join(run_text)
            run_raw, run_text = [], []
        yield token.raw, None
        if token.kind == "start" and token.tag not in VOID:
            is_skipped = _is_skipped(token)
            stack.append((token.tag, is_skipped))
            skipped += is_skipped
        elif token.kind == "end" and any(tag == token.tag for tag, _ in stack):
            while stack:
                tag, was_skipped = stack.pop()
                skipped -= was_skipped
                if tag == token.tag:
                    break
    if run_raw:
        yield "".join(run_raw), "".join(run_text)
