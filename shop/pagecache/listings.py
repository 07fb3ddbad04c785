"""The slow parts of listings and the home page, kept until the catalogue changes: facet counts,
which products are on a listing page, the home page's picks. Keyed on the listing-parts generation
(catalogue.generations.LISTING_PARTS), so a change to a product, its stock or its taxonomy drops
them all; the tiles themselves are loaded live."""

from django.core.cache import cache

from catalogue.generations import LISTING_PARTS

TIMEOUT = 10 * 60


def remember(name: str, compute):
    """`compute()`, kept under `name` until the catalogue changes."""
    value = recall(name)
    if value is None:
        value = compute()
        keep(name, value)
    return value


def recall(name: str):
    return cache.get(_key(name))


def keep(name: str, value) -> None:
    cache.set(_key(name), value, TIMEOUT)


def _key(name: str) -> str:
    return f"shop:listing:{LISTING_PARTS.current()}:{name}"
