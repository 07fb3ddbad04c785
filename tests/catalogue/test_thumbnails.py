"""Product thumbnails: made once per image and size by the task worker after the image is saved,
never by a page view."""

import io
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from oscar.core.loading import get_model
from PIL import Image
from sorl.thumbnail import default, get_thumbnail

from catalogue import images
from tests.factories import merch, product_image
from tests.tasks import run_queued_tasks

Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db

FILES_PER_IMAGE = sum(
    len(images.SIZES[n].widths) * len(images.SIZES[n].formats) for n in images.PRODUCT_SIZES
)


def save_image(product, django_capture_on_commit_callbacks, name="new-angle.png"):
    """Uploaded and committed, and the worker has run: its thumbnails are made."""
    with django_capture_on_commit_callbacks(execute=True):
        image = product_image(product, name=name, caption="New angle", display_order=5)
    run_queued_tasks()
    return image


def count_writes():
    return mock.patch.object(default.engine, "write", wraps=default.engine.write)


def test_saving_an_image_makes_every_size_once(django_capture_on_commit_callbacks):
    pin = merch("Cheeky Pin")
    with count_writes() as write:
        image = save_image(pin, django_capture_on_commit_callbacks)
    assert write.call_count == FILES_PER_IMAGE
    for size in (images.SIZES[name] for name in images.PRODUCT_SIZES):
        for fmt in size.formats:
            for width in size.widths:
                name = images.thumbnail_name(image.original.name, size, width, fmt)
                assert default.storage.exists(name), (size.name, fmt, width)

    with count_writes() as write:
        with django_capture_on_commit_callbacks(execute=True):
            image.save()  # saved again (a caption edit): nothing is made twice
        run_queued_tasks()
    assert write.call_count == 0


def test_page_views_make_no_thumbnails(client, django_capture_on_commit_callbacks):
    pin = merch("Cheeky Pin")
    image = save_image(pin, django_capture_on_commit_callbacks)
    with count_writes() as write, mock.patch.object(default.kvstore, "get") as kvstore:
        for _ in range(2):
            html = client.get(pin.get_absolute_url()).content.decode()
            assert images.thumbnail_url(image.original.name, "main", 600, images.WEBP) in html
    assert write.call_count == 0
    assert kvstore.call_count == 0  # nor does a page ask sorl's key-value store


@pytest.mark.parametrize(
    ("size", "fmt", "width"),
    [
        (size, fmt, width)
        for size in images.SIZES.values()
        for fmt in size.formats
        for width in size.widths
    ],
    ids=lambda value: getattr(value, "name", str(value)),
)
def test_names_worked_out_by_the_page_are_the_ones_sorl_makes(size, fmt, width):
    buffer = io.BytesIO()
    Image.new("RGB", (50, 40), (1, 2, 3)).save(buffer, "PNG")
    name = default.storage.save("images/products/naming-check.png", ContentFile(buffer.getvalue()))
    made = get_thumbnail(name, size.geometry(width), **size.options(fmt))
    assert made.name == images.thumbnail_name(name, size, width, fmt)
    assert made.size == [width, size.height(width)]  # the declared shape: width/height never lie


def test_product_without_images_shows_oscars_placeholder(client, db):
    html = client.get(merch("Imageless Pin").get_absolute_url()).content.decode()
    assert 'src="/static/oscar/img/image_not_found.jpg"' in html
    assert 'width="400" height="300"' in html


def test_a_product_without_images_writes_nothing_to_media(client, db, settings, tmp_path):
    """Oscar's placeholder object links its picture into MEDIA_ROOT on first use; the shop shows
    the static one, and an app server on object storage may have no MEDIA_ROOT to write."""
    settings.MEDIA_ROOT = str(tmp_path)
    product = merch("Imageless Pin")

    assert product.primary_image()["is_missing"]
    assert client.get(product.get_absolute_url()).status_code == 200
    assert not list(tmp_path.iterdir())
