"""What the in-process and the load runs share: the error that stops a run, the catalogue size
they measure (made once with seed_demo), every cache level emptied for a cold request, and
WhiteNoise's collected files that DEBUG off serves."""

from __future__ import annotations

import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from oscar.core.loading import get_model

import shop.pagecache
from shop.devtools.demo.seed import SYNTHETIC_UPC_PREFIX

Product = get_model("catalogue", "Product")


class BenchError(Exception):
    pass


def size_label(synthetic: int) -> str:
    return "demo" if synthetic == 0 else str(synthetic)


def synthetic_count() -> int:
    """How many synthetic products (seed_demo --products) the database holds."""
    return Product.objects.filter(upc__startswith=SYNTHETIC_UPC_PREFIX).count()


def ensure_size(synthetic: int, *, stdout) -> None:
    """The demo catalogue plus `synthetic` generated products (seed_demo --products), made once."""
    call_command("seed_demo", stdout=stdout)  # idempotent
    have = synthetic_count()
    if have < synthetic:
        missing = synthetic - have
        where = (
            ""
            if connection.vendor == "postgresql"
            else f" (on {connection.vendor}: the size is meant for PostgreSQL)"
        )
        stdout.write(
            f"Seeding {missing:,} synthetic products (seed_demo --products {missing}){where}; "
            "this takes a while…"
        )
        call_command("seed_demo", products=missing, stdout=stdout)
    elif have > synthetic:
        stdout.write(
            f"Note: the database holds {have:,} synthetic products, more than size "
            f"{size_label(synthetic)} asks for; the figures are for {Product.objects.count():,} products."
        )
    elif synthetic:
        stdout.write(f"{have:,} synthetic products already there: not seeding.")


def empty_every_cache() -> None:
    """Every cache level a page may be served from, emptied: each configured cache (whole pages,
    listing parts, facets, product page parts, generations) and the page cache's in-process layer
    in front of the shared one. A new query string alone misses only the
    whole-page entry."""
    for alias in settings.CACHES:
        caches[alias].clear()
    shop.pagecache.forget_local()


def collected_static_is_stale() -> bool:
    """WhiteNoise's manifest (production) is missing or older than a source static file."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore):
            if os.path.getmtime(storage.path(path)) > built:
                return True
    return False
