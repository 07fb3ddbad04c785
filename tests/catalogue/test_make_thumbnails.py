"""`make_thumbnails` fills in the thumbnails listings and product pages link to, once."""

import io

import pytest
from django.core.management import call_command

from catalogue.images import JPEG, SIZES, WEBP, thumbnail_name
from tests.factories import merch, product_image


@pytest.fixture
def fresh_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.mark.django_db
def test_make_thumbnails_creates_the_missing_files_and_nothing_the_second_time(fresh_media):
    # Saved inside the test's transaction: no thumbnails were made yet.
    name = product_image(merch("Cheeky Pin")).original.name
    card = [
        fresh_media / thumbnail_name(name, SIZES["card"], w, f)
        for w in (400,)
        for f in (JPEG, WEBP)
    ]
    assert not any(path.exists() for path in card)

    out = io.StringIO()
    call_command("make_thumbnails", stdout=out)

    assert all(path.exists() for path in card)
    assert out.getvalue() == "Made 13 thumbnails; checked 1 product image.\n"
    again = io.StringIO()
    call_command("make_thumbnails", stdout=again)
    assert again.getvalue().startswith("Made 0 thumbnails")


@pytest.mark.django_db
def test_a_thumbnail_gone_from_storage_is_made_again_though_sorl_recorded_it(fresh_media):
    """A bucket restored or copied without its thumbnails: sorl's key-value store still lists
    them, the files decide."""
    name = product_image(merch("Cheeky Pin")).original.name
    call_command("make_thumbnails", stdout=io.StringIO())
    card = fresh_media / thumbnail_name(name, SIZES["card"], 400, WEBP)
    card.unlink()

    out = io.StringIO()
    call_command("make_thumbnails", stdout=out)

    assert card.exists()
    assert out.getvalue().startswith("Made 1 thumbnails")
