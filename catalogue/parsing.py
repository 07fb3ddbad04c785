"""What the browser sends, read into typed values: the one place that decides what a query
parameter or a URL argument may be, so that hostile input is ignored (or a 404) and never a 500.

The parsers accept numbers in ASCII digits only (`str.isdigit()` takes "²" and "①", which
`int()` refuses; `int()` takes Arabic-Indic and full-width digits, which no link of ours writes),
bound every size (ids to the range of an AutoField on every database we run, text to a length,
repeated values to a count), and answer None, "" or () for anything else. Listings, search, the
blog and checkout read their query parameters through them; `URLArgumentMiddleware` checks every
URL argument of every view, ours and Oscar's, before the view runs.

Lives in catalogue because the blog and the shop both read through it (catalogue imports neither).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from django.http import Http404, QueryDict

# An AutoField is a 32-bit integer on PostgreSQL (SQLite's 64-bit INTEGER holds more, but one
# range for both: an id no row can have is a 404 on either, never an overflow).
MAX_ID = 2**31 - 1
MAX_VALUES = 20  # repeated values of one parameter: a longer list is someone else's URL
SLUG = re.compile(r"[-\w]{1,128}")
ASCII_INTEGER = re.compile(r"-?[0-9]+")  # not \d: that takes every script's digits
# C0 controls and DEL: PostgreSQL refuses NUL in text; none belongs in a search or a key.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parse_int(value: str | None, *, lo: int, hi: int) -> int | None:
    """`value` as an integer in lo..hi, written in ASCII digits; else None."""
    if value is None or len(value) > max(len(str(lo)), len(str(hi))):
        return None
    if not ASCII_INTEGER.fullmatch(value):
        return None
    number = int(value)
    return number if lo <= number <= hi else None


def parse_id(value: str | int | None) -> int | None:
    """A primary key: a positive integer that fits the id column."""
    if isinstance(value, int):
        return value if 1 <= value <= MAX_ID else None
    return parse_int(value, lo=1, hi=MAX_ID)


def parse_ids(values: Iterable[str], *, limit: int = MAX_VALUES) -> tuple[int, ...]:
    """The well-formed ids among the first `limit` values, each once, in order."""
    ids = (parse_id(value) for value in list(values)[:limit])
    return tuple(dict.fromkeys(pk for pk in ids if pk is not None))


def parse_page(value: str | None) -> int | None:
    """A page number: 1 when absent or empty, None when it cannot be one."""
    if not value:
        return 1
    return parse_int(value, lo=1, hi=MAX_ID)


def parse_choice(value: str | None, choices: Collection[str]) -> str | None:
    return value if value in choices else None


def parse_choices(
    values: Iterable[str], choices: Collection[str], *, limit: int = MAX_VALUES
) -> tuple[str, ...]:
    """The known values among the first `limit`, each once, in order."""
    return tuple(dict.fromkeys(v for v in list(values)[:limit] if v in choices))


def parse_slugs(values: Iterable[str], *, limit: int = MAX_VALUES) -> tuple[str, ...]:
    """The well-formed slugs among the first `limit` values, each once, in order."""
    return tuple(dict.fromkeys(v for v in list(values)[:limit] if SLUG.fullmatch(v)))


def parse_flag(value: str | None) -> bool:
    """A ticked box: "1", and nothing else, is on."""
    return value == "1"


def parse_text(value: str | None, *, max_length: int) -> str:
    """Free text (a search): control characters become spaces, then trimmed and cut."""
    if not value:
        return ""
    return CONTROL.sub(" ", value).strip()[:max_length]


def is_id_argument(name: str, value) -> bool:
    """Whether a URL argument names a row by integer key.

    `<int:…>` arguments arrive as ints; Oscar also captures keys with `\\d+` (which takes every
    script's digits) and with `<str:pk>`. The admin's `object_id` is the model's own key, which
    the admin parses itself.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return True
    return name in ("pk", "id") or (name.endswith(("_pk", "_id")) and name != "object_id")


class URLArgumentMiddleware:
    """Every URL argument and query parameter checked in one place, before any view reads them.

    An integer key that no row can have (out of range, signed, in other digits) is a 404; so is a
    text argument with a control character. A query parameter with a NUL in it is dropped: no
    page of ours takes one, and Oscar's forms would pass it to PostgreSQL, which refuses NUL in
    text (a 500).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pairs = [(name, value) for name, values in request.GET.lists() for value in values]
        if any("\x00" in name or "\x00" in value for name, value in pairs):
            kept = QueryDict(mutable=True)
            for name, value in pairs:
                if "\x00" not in name and "\x00" not in value:
                    kept.appendlist(name, value)
            kept._mutable = False
            request.GET = kept
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        arguments = [*((None, value) for value in view_args), *view_kwargs.items()]
        for name, value in arguments:
            if name is not None and is_id_argument(name, value):
                if parse_id(value) is None:
                    raise Http404("No row has that id")
            elif isinstance(value, str) and CONTROL.search(value):
                raise Http404("A control character in a URL argument")
        return None
