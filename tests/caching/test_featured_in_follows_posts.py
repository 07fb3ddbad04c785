"""A cached product page follows the posts that feature it: linked, unlinked, gone live on
schedule; posts about other products leave it cached."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from blog.services import save_post
from tests.blog.conftest import write_post
from tests.commits import commits
from tests.factories import merch

from .conftest import get, is_hit

pytestmark = [pytest.mark.page_cache, pytest.mark.django_db]


@commits
def test_a_new_link_and_its_removal_show_on_the_cached_product_page(client):
    pin = merch("Cheeky Pin", upc="PIN-CHEEKY")
    post = write_post("Pin care", body="Nothing linked yet.")
    get(client, pin.get_absolute_url())

    write_post("About stickers", body="No pins here.")
    assert is_hit(get(client, pin.get_absolute_url())[0])

    post.body = f"Clean [this pin]({pin.get_absolute_url()}) with a soft cloth."
    save_post(post)
    assert b"Pin care" in get(client, pin.get_absolute_url())[0].content

    post.body = "Clean pins with a soft cloth."
    save_post(post)
    assert b"Pin care" not in get(client, pin.get_absolute_url())[0].content


@commits
def test_a_scheduled_post_shows_on_the_product_page_once_it_is_live(client):
    pin = merch("Cheeky Pin", upc="PIN-CHEEKY")
    write_post(
        "Coming guide",
        body="[[product:PIN-CHEEKY]]",
        published_at=timezone.now() + dt.timedelta(days=1),
    )
    assert b"Coming guide" not in get(client, pin.get_absolute_url())[0].content
    assert is_hit(get(client, pin.get_absolute_url())[0])

    later = timezone.now() + dt.timedelta(days=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        page, _ = get(client, pin.get_absolute_url())

    assert b"Coming guide" in page.content
