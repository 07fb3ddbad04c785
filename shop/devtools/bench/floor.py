"""The framework floor: a trivial 30 KB page through the shop's middleware, for `manage.py bench`.

It touches no database and renders no template, so what it costs is what Django, the middleware
and the app server cost per request; every page's time is read as a multiple of it.
"""

from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

PATH = "bench/floor/"
SIZE = 30 * 1024

_PARAGRAPH = (
    "<p>Pin Senpai sells enamel pins, stickers, keychains, acrylic stands and art prints for "
    "anime fans. This paragraph is filler: the page exists to measure the framework floor.</p>\n"
)


def _page() -> bytes:
    head = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Benchmark floor</title></head><body>\n<h1>Benchmark floor</h1>\n"
    )
    tail = "</body></html>\n"
    body = _PARAGRAPH * ((SIZE - len(head) - len(tail)) // len(_PARAGRAPH))
    page = head + body
    return (page + " " * (SIZE - len(page) - len(tail)) + tail).encode()


PAGE = _page()


@transaction.non_atomic_requests  # no database at all: the floor is the framework's own cost
@require_GET
def floor(request):
    return HttpResponse(PAGE, content_type="text/html; charset=utf-8")


def route():
    """The floor's URL, in the benchmark's URLconf (shop/devtools/bench/urls.py) only."""
    return path(PATH, floor, name="bench-floor")
