"""Links a page repeats for each product it shows (a listing's tiles link each product's page and
its *Add to basket*): Django's `reverse` resolves the URL name and matches the pattern afresh for
every call (~60 Python calls). Here the URL is reversed once with stand-in values, for the current
URLconf and script prefix, and each product's values are put in its place: the same string
`reverse` answers, for values that its quoting leaves alone (ASCII slugs, integer ids); any other
value goes through `reverse` itself."""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

_PLAIN_SLUG = re.compile(r"[A-Za-z0-9_-]*")
# Values no real URL holds: each splits the reversed URL where its argument goes.
_STAND_INS = {"product_slug": "zq-slug-qz", "pk": 918273645546372819}


@lru_cache(maxsize=64)
def _shape(viewname: str, names: tuple[str, ...], urlconf, prefix: str) -> str:
    """`viewname`'s URL as a format string with a `{name}` field for each argument."""
    url = reverse(viewname, urlconf=urlconf, kwargs={name: _STAND_INS[name] for name in names})
    url = url.replace("{", "{{").replace("}", "}}")
    for name in names:
        url = url.replace(str(_STAND_INS[name]), f"{{{name}}}", 1)
    return url


def _reversed(viewname: str, **kwargs) -> str:
    return _shape(viewname, tuple(kwargs), get_urlconf(), get_script_prefix()).format(**kwargs)


def product_url(product) -> str:
    """`reverse("catalogue:detail", ...)`: Oscar's `Product.get_absolute_url`."""
    slug, pk = product.slug, product.pk
    if not (isinstance(pk, int) and _PLAIN_SLUG.fullmatch(slug)):
        return reverse("catalogue:detail", kwargs={"product_slug": slug, "pk": pk})
    return _reversed("catalogue:detail", product_slug=slug, pk=pk)


def add_to_basket_url(product_id) -> str:
    """`{% url 'basket:add' pk=product.pk %}`."""
    if not isinstance(product_id, int):
        return reverse("basket:add", kwargs={"pk": product_id})
    return _reversed("basket:add", pk=product_id)


@receiver(setting_changed)
def _forget_shapes(setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _shape.cache_clear()
