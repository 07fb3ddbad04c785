"""Re-encode the pictures stored before the upload policy (catalogue.image_policy): product, category
and blog hero originals keep nothing but their pixels afterwards, under a new name (so pages and
caches never serve the old bytes), with their thumbnails made anew. Files already clean are left
alone, so it is safe to rerun; a file shared by several rows is handled once."""

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from oscar.core.loading import get_model

from blog.models import Post
from blog.services import HERO_SIZES
from catalogue.generations import bump_all
from catalogue.image_policy import clean_image
from catalogue.images import PRODUCT_SIZES, SIZES, make_thumbnails, thumbnail_name

ProductImage = get_model("catalogue", "ProductImage")
Category = get_model("catalogue", "Category")

# Each stored picture: its model, field, and the thumbnail sizes pages link for it.
PICTURES = [
    (ProductImage, "original", PRODUCT_SIZES),
    (Category, "image", ()),
    (Post, "hero_image", HERO_SIZES),
]


class Command(BaseCommand):
    help = "Re-encode stored product, category and hero pictures that still carry metadata."

    def handle(self, *args, **options):
        counts = {"cleaned": 0, "clean": 0, "refused": 0, "missing": 0}
        for name, sizes in stored_pictures().items():
            try:
                with default_storage.open(name) as source:
                    data = source.read()
            except FileNotFoundError:
                counts["missing"] += 1
                continue
            try:
                cleaned = clean_image(
                    SimpleUploadedFile(PurePath(name).name, data), skip_clean=True
                )
            except ValidationError as refused:
                counts["refused"] += 1
                self.stdout.write(f"{name}: {' '.join(refused.messages)}")
                continue
            if cleaned is None:
                counts["clean"] += 1
                continue
            replace(name, cleaned, sizes)
            counts["cleaned"] += 1
        if counts["cleaned"]:
            bump_all()  # rows were updated without signals: cached pages name the old files
        self.stdout.write(
            "Re-encoded {cleaned} pictures; {clean} already clean; {refused} refused; "
            "{missing} missing.".format(**counts)
        )


def stored_pictures() -> dict[str, tuple[str, ...]]:
    """Every stored name, with the thumbnail sizes of every row that shows it."""
    names: dict[str, set[str]] = {}
    for model, field, sizes in PICTURES:
        stored = model._default_manager.exclude(**{field: ""}).exclude(**{f"{field}__isnull": True})
        for name in stored.values_list(field, flat=True).distinct():
            names.setdefault(name, set()).update(sizes)
    return {name: tuple(sorted(sizes)) for name, sizes in sorted(names.items())}


def replace(name: str, cleaned, sizes: tuple[str, ...]) -> None:
    new_name = default_storage.save(str(PurePath(name).with_name(cleaned.name)), cleaned)
    with transaction.atomic():
        for model, field, _sizes in PICTURES:
            model._default_manager.filter(**{field: name}).update(**{field: new_name})
    make_thumbnails(new_name, sizes)
    for size in (SIZES[s] for s in sizes):
        for fmt in size.formats:
            for width in size.widths:
                default_storage.delete(thumbnail_name(name, size, width, fmt))
    default_storage.delete(name)
