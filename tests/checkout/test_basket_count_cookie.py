"""The header's basket count cookie (shop.basket.middleware) is signed again only when the count
changed or the cookie is past half its age, not on every view of the basket."""

import time

import pytest
from django.urls import reverse

from shop.basket import middleware
from tests.factories import merch
from tests.shopping import add_to_basket

pytestmark = pytest.mark.django_db


def count_cookie(response) -> str | None:
    morsel = response.cookies.get(middleware.COOKIE_NAME)
    return morsel.value if morsel is not None else None


@pytest.fixture
def shopper(client):
    add_to_basket(client, merch("Cookie Pin", price="10.00", stock=9))
    return client


def test_viewing_an_unchanged_basket_sends_no_new_count_cookie(shopper):
    assert count_cookie(shopper.get(reverse("basket:summary"))) is None
    assert count_cookie(shopper.get(reverse("checkout:index"))) is None
    assert b'aria-label="1 item"' in shopper.get(reverse("basket:summary")).content


def test_a_changed_count_is_signed_again(shopper):
    add_to_basket(shopper, merch("Second Pin", price="10.00", stock=9))
    assert b'aria-label="2 items"' in shopper.get(reverse("blog:index")).content


def test_a_count_past_half_its_age_is_signed_again_and_an_expired_one_recounted(
    shopper, monkeypatch
):
    later = time.time() + middleware.COOKIE_MAX_AGE / 2 + 1
    monkeypatch.setattr(middleware.time, "time", lambda: later)
    assert count_cookie(shopper.get(reverse("basket:summary"))) is not None

    shopper.cookies[middleware.COOKIE_NAME] = middleware.signing.Signer(
        salt=middleware.SALT
    ).sign_object([None, 7, int(later - middleware.COOKIE_MAX_AGE)])
    assert b'aria-label="1 item"' in shopper.get(reverse("blog:index")).content
