"""Media in S3-compatible object storage (shop.storage, MEDIA_BUCKET): what staff upload in the
dashboard and the admin lands in the bucket with its thumbnails, pages link the public URL without
asking the store anything, and a store that is down is a form error, never a 500."""

import re
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from storages.backends.s3 import S3Storage

from blog.models import Post
from catalogue import images
from catalogue.images import thumbnail_url
from tests import pictures
from tests.blog.test_admin import ADD_URL, editor, editor_client, form_data  # noqa: F401
from tests.blog.test_hero_uploads import published_with_hero
from tests.catalogue.test_image_uploads import pin, upload_in_dashboard  # noqa: F401
from tests.factories import product_image
from tests.tasks import run_queued_tasks

ProductImage = get_model("catalogue", "ProductImage")

pytestmark = [pytest.mark.django_db, pytest.mark.object_storage]

STORAGE_DOWN = "the media storage is not answering"


def thumbnail_keys(source_name: str, sizes) -> set[str]:
    return {
        images.thumbnail_name(source_name, size, width, fmt)
        for size in (images.SIZES[name] for name in sizes)
        for fmt in size.formats
        for width in size.widths
    }


def linked_media(html: str, store) -> set[str]:
    """The keys of the bucket that a page links, by their public URL."""
    return set(re.findall(rf"{re.escape(store.public_url)}/([^\s\"',]+)", html))


def test_a_dashboard_upload_and_its_thumbnails_are_in_the_bucket_and_pages_link_them(
    media_in_object_store,
    staff_client,
    pin,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    store = media_in_object_store
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_in_dashboard(staff_client, pin, pictures.png(size=(300, 200)))
    assert response.status_code == 302
    run_queued_tasks()  # the worker makes the thumbnails
    shopper = Client()
    name = ProductImage.objects.get(product=pin).original.name
    thumbnails = thumbnail_keys(name, images.PRODUCT_SIZES)

    assert name.startswith("images/products/") and name.endswith(".png")
    assert store.keys() == {name} | thumbnails

    product_page = shopper.get(pin.get_absolute_url())
    listing = shopper.get(reverse("catalogue:index"))
    assert product_page.status_code == listing.status_code == 200
    shown = linked_media(product_page.content.decode(), store)
    listed = linked_media(listing.content.decode(), store)
    assert shown and listed and shown | listed <= thumbnails
    assert '"/media/' not in product_page.content.decode() + listing.content.decode()


def test_a_blog_hero_and_its_thumbnails_are_stored_in_the_bucket_and_linked(
    media_in_object_store,
    editor_client,  # noqa: F811
    pin,  # noqa: F811 -- the product the post embeds
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(ADD_URL, published_with_hero(pictures.png(size=(320, 180))))
    assert response.status_code == 302
    run_queued_tasks()
    shopper = Client()
    hero = Post.objects.get().hero_image.name
    thumbnails = thumbnail_keys(hero, ("hero", "og"))

    assert media_in_object_store.keys() == {hero} | thumbnails
    page = shopper.get(Post.objects.get().get_absolute_url())
    assert page.status_code == 200
    assert linked_media(page.content.decode(), media_in_object_store) & thumbnails


def test_without_a_public_url_pages_link_signed_urls_that_the_store_serves(
    media_in_private_bucket, monkeypatch
):
    signatures = []
    sign = S3Storage.url
    monkeypatch.setattr(S3Storage, "url", lambda *a, **k: signatures.append(a) or sign(*a, **k))
    name = default_storage.save("images/products/private.png", ContentFile(b"\x89PNG pixels"))

    first, again = thumbnail_url(name, "card"), thumbnail_url(name, "card")
    link = default_storage.url(name)

    assert "X-Amz-Signature=" in link and link.startswith(media_in_private_bucket.endpoint)
    assert first == again and len(signatures) == 2  # one signature a link, reused
    with urllib.request.urlopen(link, timeout=5) as response:
        assert response.read() == b"\x89PNG pixels"


# The store stopped: last in this module, so the server starts at most once a run.


def test_with_the_store_stopped_the_product_page_still_renders_its_pictures(
    media_in_object_store,
    pin,  # noqa: F811
    client,
):
    name = product_image(pin).original.name
    assert media_in_object_store.keys() == {name}
    media_in_object_store.stop()

    response = client.get(pin.get_absolute_url())

    assert response.status_code == 200
    shown = linked_media(response.content.decode(), media_in_object_store)
    assert shown and shown <= thumbnail_keys(name, images.PRODUCT_SIZES)


def test_with_the_store_stopped_a_dashboard_upload_is_a_form_error_and_nothing_is_saved(
    media_in_stopped_object_store,
    staff_client,
    pin,  # noqa: F811
    caplog,
):
    response = upload_in_dashboard(staff_client, pin, pictures.png())

    assert response.status_code == 200
    assert STORAGE_DOWN in response.context["image_formset"].forms[0].errors["original"][0]
    assert STORAGE_DOWN in response.content.decode()
    assert not ProductImage.objects.exists()
    [logged] = [r for r in caplog.records if r.getMessage().startswith("An uploaded image was not")]
    assert logged.exc_info is None  # one line per refused upload, no traceback for an outage


def test_with_the_store_stopped_a_hero_upload_in_the_admin_is_a_form_error_and_nothing_is_saved(
    media_in_stopped_object_store,
    editor_client,  # noqa: F811
    pin,  # noqa: F811
):
    response = editor_client.post(
        ADD_URL, form_data(hero_image=pictures.png(), hero_alt="A pin on a desk")
    )

    assert response.status_code == 200
    assert STORAGE_DOWN in response.context["adminform"].form.errors["hero_image"][0]
    assert STORAGE_DOWN in response.content.decode()
    assert not Post.objects.exists()
