"""`clean_stored_images` re-encodes pictures stored before the upload policy: product, category and
hero originals lose their metadata, rows follow the new names, and a second run changes nothing."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from oscar.core.loading import get_model

from blog.models import Post
from catalogue import images
from tests import pictures
from tests.factories import merch, product_image

ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db


def clean() -> str:
    out = io.StringIO()
    call_command("clean_stored_images", stdout=out)
    return out.getvalue()


def stored_bytes(field_file) -> bytes:
    with default_storage.open(field_file.name) as f:
        return f.read()


def test_legacy_originals_are_re_encoded_once_and_rows_follow():
    pin = merch("Cheeky Pin")
    legacy = ProductImage(product=pin, display_order=1)
    legacy.original.save("legacy.jpg", pictures.jpeg_with_gps_and_comment(), save=False)
    legacy.save()  # straight to storage: what uploads did before the policy
    shared = ProductImage.objects.create(product=merch("Twin Pin"), original=legacy.original.name)
    hero = Post(title="Pins", slug="pins")
    hero.hero_image.save("hero.png", pictures.png_with_html_tail(), save=False)
    hero.save()
    clean_one = product_image(pin, name="clean.png")  # already nothing but pixels
    old_names = [legacy.original.name, hero.hero_image.name]

    assert clean() == "Re-encoded 2 pictures; 1 already clean; 0 refused; 0 missing.\n"

    legacy.refresh_from_db(), shared.refresh_from_db(), hero.refresh_from_db()
    clean_one.refresh_from_db()
    assert legacy.original.name == shared.original.name != old_names[0]
    assert not any(default_storage.exists(name) for name in old_names)
    content = stored_bytes(legacy.original)
    assert b"PhoneMaker" not in content and not pictures.read(legacy.original).getexif()
    assert b"<script" not in stored_bytes(hero.hero_image)
    assert clean_one.original.name.endswith("clean.png")
    card = images.thumbnail_name(legacy.original.name, images.SIZES["card"], 400, images.WEBP)
    assert default_storage.exists(card)  # thumbnails made for the new name

    assert clean() == "Re-encoded 0 pictures; 3 already clean; 0 refused; 0 missing.\n"


def test_a_stored_file_the_policy_refuses_is_left_and_named(settings):
    legacy = ProductImage(product=merch("Huge Pin"))
    legacy.original.save("huge.png", pictures.huge_png(), save=False)
    legacy.save()

    out = clean()

    assert "0 pictures; 0 already clean; 1 refused" in out
    assert f"{legacy.original.name}: The image is 10000x10000 pixels" in out
    assert default_storage.exists(legacy.original.name)
