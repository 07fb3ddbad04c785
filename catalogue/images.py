"""The few sizes product images are shown at, and their thumbnails, made once by the task worker.

Pages never call sorl's `get_thumbnail`: sorl names a thumbnail by hashing the source name, the
geometry and the options, so `thumbnail_url()` works the name out without opening an image,
reading sorl's key-value store or touching the database. When an image is saved,
`make_thumbnails_after_commit()` queues `make_thumbnails_task` for `manage.py db_worker`, which
creates the files and skips any that already exist. Until the worker has run (seconds), a page
links names that are not there yet and the browser shows the alt text; the page itself never
waits, and a cached page needs no refresh when the files appear, because the names do not change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache, partial

from django.conf import DEFAULT_STORAGE_ALIAS, settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.templatetags.static import static
from django_tasks import task
from oscar.core.thumbnails import SorlThumbnail
from sorl.thumbnail import default, get_thumbnail
from sorl.thumbnail.base import EXTENSIONS
from sorl.thumbnail.conf import defaults as sorl_defaults
from sorl.thumbnail.conf import settings as sorl_settings
from sorl.thumbnail.helpers import serialize, tokey
from sorl.thumbnail.images import ImageFile

from .image_policy import open_within_limits

logger = logging.getLogger("catalogue.images")

WEBP, JPEG = "WEBP", "JPEG"
# What a product without a picture shows: Oscar's placeholder, a static file (path, width, height).
MISSING_IMAGE = ("oscar/img/image_not_found.jpg", 400, 300)
# Matches the page's image well (shop.css --paper / product.css), so padding looks like space.
PADDING_COLOR = "#f7f1f8"


@dataclass(frozen=True)
class Size:
    """One way a product image is shown: the widths made for srcset, at a fixed aspect ratio."""

    name: str
    widths: tuple[int, ...]
    aspect: tuple[int, int] = (1, 1)
    # "crop" fills the frame (tiles); "pad" shows the whole picture (the product gallery).
    fit: str = "crop"
    formats: tuple[str, ...] = (WEBP, JPEG)
    sizes: str = ""  # the <img sizes> hint: how wide the image is drawn

    def height(self, width: int) -> int:
        return round(width * self.aspect[1] / self.aspect[0])

    def geometry(self, width: int) -> str:
        return f"{width}x{self.height(width)}"

    def options(self, fmt: str) -> dict:
        options = {"format": fmt}
        if self.fit == "crop":
            options["crop"] = "center"
        else:
            options.update(padding=True, padding_color=PADDING_COLOR)
        return options


SIZES = {
    size.name: size
    for size in [
        # A listing tile is drawn up to ~300 CSS px wide: 400 and its 2x cover phones and desktops.
        Size("card", (400, 800), sizes="(max-width: 767px) 50vw, 300px"),
        Size("main", (600, 1200), fit="pad", sizes="(max-width: 767px) 100vw, 560px"),
        Size("thumb", (96, 192), sizes="72px"),
        # Open Graph / JSON-LD: one JPEG at the 1.91:1 card size social sites crop to.
        Size("og", (1200,), aspect=(1200, 630), fit="pad", formats=(JPEG,)),
        # An article's hero on blog cards and the article page (16:9, cropped).
        Size("hero", (640, 1280), aspect=(16, 9), sizes="(max-width: 767px) 100vw, 760px"),
    ]
}
PRODUCT_SIZES = ("card", "main", "thumb", "og")


@cache
def _options_with_sorl_defaults(options: tuple) -> dict:
    """The options exactly as sorl's `get_thumbnail` completes them before hashing the name."""
    completed = dict(options)
    for key, value in default.backend.default_options.items():
        completed.setdefault(key, value)
    for key, setting in default.backend.extra_options:
        value = getattr(sorl_settings, setting)
        if value != getattr(sorl_defaults, setting):
            completed.setdefault(key, value)
    return completed


@cache
def _naming(size: Size, width: int, fmt: str) -> tuple[str, str, str, str]:
    """What sorl hashes into a thumbnail's name besides its source, as sorl writes it: the
    geometry and the serialised options; and the name's prefix and extension."""
    options = _options_with_sorl_defaults(tuple(sorted(size.options(fmt).items())))
    return (
        size.geometry(width),
        serialize(options),
        sorl_settings.THUMBNAIL_PREFIX,
        EXTENSIONS[options["format"]],
    )


@cache
def _storage_in_key() -> str:
    """How sorl names the source images' storage in their keys (`ImageFile.key`): the same for
    every source, and slow to work out (it walks the configured storages)."""
    source = ImageFile("any", default_storage)
    storage = source.serialize_storage()
    if storage in (DEFAULT_STORAGE_ALIAS, sorl_settings.THUMBNAIL_STORAGE):
        storage = source.serialize_storage(use_backend_name=True)
    return storage


def thumbnail_name(source_name: str, size: Size, width: int, fmt: str) -> str:
    """sorl's name for this thumbnail (`ThumbnailBackend._get_thumbnail_filename`): two hashes of
    short strings, so pages work names out afresh rather than keep them."""
    return _name(_source_key(source_name), size, width, fmt)


# Names are hashes of the source's name and the settings: kept for the images this process has
# shown lately, as a listing shows them again on each render, without caching any URL (a signed
# one expires).
@lru_cache(maxsize=4096)
def _source_key(source_name: str) -> str:
    """The first of the two hashes: the same for every size and format of one source."""
    return tokey(source_name, _storage_in_key())


@lru_cache(maxsize=16384)
def _name(source_key: str, size: Size, width: int, fmt: str) -> str:
    geometry, options, prefix, extension = _naming(size, width, fmt)
    key = tokey(source_key, geometry, options)
    return f"{prefix}{key[:2]}/{key[2:4]}/{key}.{extension}"


def thumbnail_url(source_name: str, size: Size | str, width: int | None = None, fmt: str = JPEG):
    size = SIZES[size] if isinstance(size, str) else size
    return _thumbnail_storage_url()(thumbnail_name(source_name, size, width or size.widths[0], fmt))


def thumbnail_urls(source_name: str, size: Size, fmt: str) -> list[tuple[str, int]]:
    """`thumbnail_url` and the width of each of `size`'s widths in `fmt` (a srcset), hashing the
    source's part of the names once: a listing tile links four thumbnails of one image."""
    source_key, url = _source_key(source_name), _thumbnail_storage_url()
    return [(url(_name(source_key, size, width, fmt)), width) for width in size.widths]


@cache
def _thumbnail_storage_url():
    """`url` of sorl's thumbnail storage itself: through its lazy wrapper, each call costs an
    AttributeError raised and caught (a listing links 120 thumbnails). For the file system
    storage, and object storage behind a public URL (django-storages' S3 with a custom domain),
    the base URL joined to the name: what their `url` answers for the names sorl makes (`prefix`,
    hex digits, slashes, an extension), without their quoting and joining per call. Signed links
    are made per name by the storage."""
    storage_url = default.storage.url
    storage = getattr(storage_url, "__self__", None)
    if type(storage) is FileSystemStorage:
        base = storage.base_url
    elif getattr(storage, "custom_domain", None) and storage.cloudfront_signer is None:
        base = storage_url("")
    else:
        return storage_url
    probe = f"{sorl_settings.THUMBNAIL_PREFIX}0a/1b/0a1b2c3d4e5f.jpg"
    if storage_url(probe) != base + probe:
        return storage_url
    return partial(str.__add__, base)


@receiver(setting_changed)
def _forget_naming(setting, **kwargs):
    if setting in ("MEDIA_URL", "STORAGES") or setting.startswith("THUMBNAIL_"):
        for worked_out in (
            _source_key,
            _name,
            _options_with_sorl_defaults,
            _naming,
            _storage_in_key,
            _thumbnail_storage_url,
        ):
            worked_out.cache_clear()


def make_thumbnails(source_name: str, sizes: tuple[str, ...] = PRODUCT_SIZES) -> int:
    """Create the sizes and formats of one image that do not exist yet. Returns how many."""
    made = 0
    for size in (SIZES[name] for name in sizes):
        for fmt in size.formats:
            for width in size.widths:
                name = thumbnail_name(source_name, size, width, fmt)
                if default.storage.exists(name):
                    continue
                # sorl makes no thumbnail its key-value store records, even one the storage has
                # not (a bucket restored or copied without its thumbnails): the file decides.
                default.kvstore.delete(ImageFile(name, default.storage), delete_thumbnails=False)
                get_thumbnail(source_name, size.geometry(width), **size.options(fmt))
                made += 1
    return made


@dataclass(frozen=True)
class NamedThumbnail:
    url: str
    width: int
    height: int


class NamedThumbnailer(SorlThumbnail):
    """OSCAR_THUMBNAILER: Oscar's `{% oscar_thumbnail %}` (basket, checkout, wishlists, reviews,
    the dashboard's product list) answered with the smallest square size made by the worker that
    covers the request, by name; Oscar's sorl thumbnailer would render it in the page's request."""

    SQUARES = [(SIZES["thumb"], w) for w in SIZES["thumb"].widths] + [
        (SIZES["card"], w) for w in SIZES["card"].widths
    ]

    def generate_thumbnail(self, source, **opts) -> NamedThumbnail:
        name = str(getattr(source, "name", source) or "").removeprefix(settings.MEDIA_URL)
        if not name or name == settings.OSCAR_MISSING_IMAGE_URL:
            path, width, height = MISSING_IMAGE
            return NamedThumbnail(static(path), width, height)
        wanted = max(int(n) for n in opts["size"].split("x") if n)
        size, width = next(((s, w) for s, w in self.SQUARES if w >= wanted), self.SQUARES[-1])
        return NamedThumbnail(thumbnail_url(name, size, width), width, size.height(width))


@task()
def make_thumbnails_task(source_name: str, sizes: list[str]) -> int:
    """The worker's side of `make_thumbnails_after_commit`. An image deleted since, or one stored
    before the upload policy that is over its pixel limit, is skipped: the cost of a run is
    bounded by IMAGE_MAX_PIXELS whatever is in storage."""
    if not default_storage.exists(source_name):
        return 0
    try:
        with default_storage.open(source_name) as source:
            open_within_limits(source).close()  # reads the header only
    except ValidationError as refused:
        logger.warning("Thumbnails of %s not made: %s", source_name, "; ".join(refused.messages))
        return 0
    return make_thumbnails(source_name, tuple(sizes))


_made_inline: ContextVar[bool] = ContextVar("thumbnails_made_inline", default=False)


@contextmanager
def thumbnails_made_inline() -> Iterator[None]:
    """Images saved inside make their thumbnails at commit, in this process, instead of queueing
    them: for commands (seed_demo) that must end with every thumbnail on disk."""
    token = _made_inline.set(True)
    try:
        yield
    finally:
        _made_inline.reset(token)


def make_thumbnails_after_commit(source_name: str, sizes: tuple[str, ...] = PRODUCT_SIZES) -> None:
    """Once the saving transaction commits (a rolled-back upload makes none), the task worker makes
    the thumbnails: never the saving request, never a shopper's page view."""
    if _made_inline.get():
        transaction.on_commit(partial(make_thumbnails, source_name, sizes))
    else:
        transaction.on_commit(partial(make_thumbnails_task.enqueue, source_name, list(sizes)))
