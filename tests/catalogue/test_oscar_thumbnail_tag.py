"""Oscar's own `{% oscar_thumbnail %}` (basket, checkout, wishlists, reviews, the dashboard's product
list) links the sizes the worker makes, by name: no page a shopper or staff member opens renders one."""

from unittest import mock

import pytest
from django.template import Context, Template
from django.urls import reverse
from sorl.thumbnail import default

from catalogue import images
from tests.factories import merch, product_image
from tests.shopping import add_to_basket

pytestmark = pytest.mark.django_db


def render(source, size) -> str:
    template = Template(
        "{% load image_tags %}{% oscar_thumbnail source size upscale=False as thumb %}"
        "{{ thumb.url }} {{ thumb.width }}x{{ thumb.height }}"
    )
    return template.render(Context({"source": source, "size": size}))


def test_a_small_request_gets_the_thumb_size_and_a_larger_one_the_card_size():
    image = product_image(merch("Cheeky Pin"))
    name = image.original.name
    with mock.patch.object(default.engine, "write") as write:
        assert render(image.original, "100x100") == (
            f"{images.thumbnail_url(name, 'thumb', 192, images.JPEG)} 192x192"
        )
        assert render(name, "x155") == f"{images.thumbnail_url(name, 'thumb', 192)} 192x192"
        assert render(name, "200x200") == f"{images.thumbnail_url(name, 'card', 400)} 400x400"
        assert render(name, "1000x1000") == f"{images.thumbnail_url(name, 'card', 800)} 800x800"
    assert write.call_count == 0


def test_a_product_without_a_picture_gets_oscars_placeholder():
    assert render("image_not_found.jpg", "100x100") == (
        "/static/oscar/img/image_not_found.jpg 400x300"
    )


def test_the_basket_page_renders_no_thumbnail(client):
    pin = merch("Cheeky Pin")
    name = product_image(pin).original.name
    add_to_basket(client, pin)

    with mock.patch.object(default.engine, "write") as write:
        page = client.get(reverse("basket:summary")).content.decode()

    assert write.call_count == 0
    assert images.thumbnail_url(name, "thumb", 192) in page
