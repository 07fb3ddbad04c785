"""A guest's "Add to basket" writes no session unless the page it returns to confirms the add (an
article's cards do): the basket is in a cookie, and a note no page would read was a session row
for every shopper of a drop, written again by the checkout's next page."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import resolve, reverse, set_script_prefix
from oscar.core.loading import get_model

from catalogue.buying import JUST_ADDED, remember_added
from tests.blog.conftest import write_post
from tests.factories import merch
from tests.shopping import to_payment_step

Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


def add(client, product, next_url: str):
    response = client.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, "next": next_url}
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    return response


def test_an_add_on_the_way_to_the_checkout_writes_no_session_and_the_checkout_still_works():
    pin = merch("Drop Day Pin", price="12.00", stock=5)
    shopper = Client()

    add(shopper, pin, reverse("checkout:shipping-address"))

    assert Session.objects.count() == 0
    assert "sessionid" not in shopper.cookies
    # The checkout's first step keeps the guest's details in a session of its own.
    review = to_payment_step(shopper)
    assert "Drop Day Pin" in review.content.decode()
    assert Session.objects.count() == 1


def test_an_add_back_to_the_product_page_writes_no_session():
    pin = merch("Back Again Pin", stock=5)
    shopper = Client()

    add(shopper, pin, pin.get_absolute_url())
    add(shopper, pin, pin.get_absolute_url())

    assert Session.objects.count() == 0
    assert Basket.objects.get().num_items == 2


def test_an_add_back_to_an_article_is_noted_for_its_card():
    pin = merch("Article Card Pin", stock=5)
    article = write_post("Pins to start with")
    shopper = Client()

    add(shopper, pin, article.get_absolute_url())

    (session,) = Session.objects.all()
    assert session.get_decoded()[JUST_ADDED] == [pin.pk, article.get_absolute_url()]


def test_behind_a_script_prefix_an_add_back_to_an_article_is_still_noted(rf):
    pin = merch("Prefixed Pin", stock=5)
    article_url = "/shop" + write_post("Pins under a prefix").get_absolute_url()
    request = rf.post("/shop/basket/add/")
    request.session = {}
    set_script_prefix("/shop/")  # a deployment under /shop/: the URLs carry it, the URLconf not
    try:
        remember_added(request, pin, back_to=article_url)
    finally:
        set_script_prefix("/")

    assert request.session[JUST_ADDED] == [pin.pk, article_url]


@pytest.mark.parametrize(
    ("name", "argument"),
    [
        ("blog:detail", "a-post"),
        ("blog:preview", 1),
        ("glossary:detail", "ntr"),
        ("glossary:preview", 1),
    ],
)
def test_every_page_that_confirms_adds_is_one_an_add_notes_itself_for(name, argument):
    # The article and glossary pages read the note (catalogue.buying.just_added), their staff
    # previews too: an add sent back to any of them must leave it.
    assert resolve(reverse(name, args=[argument])).func.confirms_adds
