"""Review submission is throttled per account and per address (SHOP_REVIEWS_PER_HOUR), with a
clear message and nothing typed lost; the address is the one our proxies saw."""

import pytest
from oscar.test.factories import UserFactory

from tests.catalogue.reviewing import ProductReview, add_url
from tests.factories import merch

pytestmark = pytest.mark.django_db

REVIEW = {"title": "Cute", "score": "5", "body": "Very cute."}


@pytest.fixture(autouse=True)
def two_an_hour(settings):
    settings.SHOP_REVIEWS_PER_HOUR = 2
    settings.OSCAR_ALLOW_ANON_REVIEWS = True


def anonymous(client, product, address, forwarded=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    data = {**REVIEW, "name": "Aiko", "email": "aiko@example.com"}
    return client.post(add_url(product), data, **extra)


def test_an_account_may_send_a_few_reviews_an_hour_then_is_told_to_wait(client):
    client.force_login(UserFactory())
    pins = [merch(f"Pin {n}") for n in range(3)]
    for pin in pins[:2]:
        assert client.post(add_url(pin), REVIEW, REMOTE_ADDR=f"10.0.0.{pin.pk}").status_code == 302
    response = client.post(
        add_url(pins[2]), {**REVIEW, "body": "Words kept."}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "You have sent as many reviews as we take in an hour" in html
    assert "Words kept." in html
    assert ProductReview.objects.count() == 2


def test_one_address_may_send_a_few_reviews_an_hour_whoever_signs_them(client):
    pin = merch("Pin")
    assert anonymous(client, pin, "203.0.113.5").status_code == 302
    assert anonymous(client, pin, "203.0.113.5").status_code == 302
    assert anonymous(client, pin, "203.0.113.5").status_code == 429
    assert anonymous(client, pin, "198.51.100.7").status_code == 302  # another shopper
    assert ProductReview.objects.count() == 3


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # haproxy appends the address it saw
    pin = merch("Pin")
    for forged in ("1.1.1.1", "2.2.2.2"):
        response = anonymous(client, pin, "10.0.0.1", forwarded=f"{forged}, 203.0.113.5")
        assert response.status_code == 302
    response = anonymous(client, pin, "10.0.0.1", forwarded="3.3.3.3, 203.0.113.5")
    assert response.status_code == 429


def test_invalid_forms_do_not_use_up_the_allowance(client):
    client.force_login(UserFactory())
    pins = [merch(f"Pin {n}") for n in range(2)]
    for _ in range(3):
        assert client.post(add_url(pins[0]), {"title": "No score"}).status_code == 200
    for pin in pins:
        assert client.post(add_url(pin), REVIEW).status_code == 302
