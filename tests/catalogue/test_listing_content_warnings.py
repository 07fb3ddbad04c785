"""Listings show warning badges, leave mature images out of the page until the shopper opts in,
offer no basket button for adult items before the 18+ confirmation, and can hide warned items."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from catalogue.images import thumbnail_url

Product = get_model("catalogue", "Product")

MATURE, ADULT = "PRT-RONIN-DUEL", "PRT-TSUBAKI-ONSEN"


def ronin_listing(client, **params) -> str:
    response = client.get(reverse("catalogue:franchise", kwargs={"slug": "moonlit-ronin"}), params)
    assert response.status_code == 200
    return response.content.decode()


def image_url(upc: str) -> str:
    """The product's picture as a tile shows it (the first JPEG width of the card size)."""
    return thumbnail_url(Product.objects.get(upc=upc).primary_image().original.name, "card")


@pytest.mark.django_db
def test_mature_and_adult_images_are_absent_until_the_shopper_chooses_to_see_them(
    client, demo_shop
):
    html = ronin_listing(client)
    assert "Violence and blood" in html and "Nudity" in html  # the badges
    assert 'class="withheld-image"' in html
    for upc in (MATURE, ADULT):
        assert image_url(upc) not in html, upc
    assert image_url("PIN-KAGEYAMA-JIN") in html  # unwarned items keep their pictures

    client.post(reverse("catalogue:content-consent"), {"shows_mature": "1"})

    html = ronin_listing(client)
    for upc in (MATURE, ADULT):
        assert image_url(upc) in html, upc
    assert 'class="withheld-image"' not in html


@pytest.mark.django_db
def test_adult_tile_has_no_basket_button_until_18_plus_is_confirmed(client, demo_shop):
    adult = Product.objects.get(upc=ADULT)
    add_url = reverse("basket:add", kwargs={"pk": adult.pk})
    client.post(reverse("catalogue:content-consent"), {"shows_mature": "1"})
    assert add_url not in ronin_listing(client)

    client.post(reverse("catalogue:confirm-adult"), {})

    assert add_url in ronin_listing(client)


@pytest.mark.django_db
def test_hide_warnings_filter_leaves_out_every_warned_item(client, demo_shop):
    response = client.get(reverse("catalogue:index"), {"hide_warnings": "1"})
    listed = {p.upc for p in response.context["products"]}
    assert not listed & {MATURE, ADULT, "PRT-PRISM-FINALE"}
    assert (
        response.context["paginator"].count
        == Product.objects.browsable().filter(content_warnings=None).count()
    )
