"""Cancelling a stock alert from its e-mailed link or the account page returns to the shop, never
to a site named in `?next=`: anyone can get a key by making an alert for their own address."""

import pytest
from django.urls import reverse
from oscar.test.factories import ProductAlertFactory, UserFactory

from tests.factories import merch
from tests.offsite import BYPASS_FORMS, browser_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return merch("Cheeky Pink-Haired Anime Girl Enamel Pin")


@pytest.fixture
def customer_alert(product):
    return ProductAlertFactory(product=product, user=UserFactory())


@pytest.fixture(params=["by key", "by pk"])
def cancel_url(request, client, product):
    """The e-mailed link of an anonymous alert, or the account page's link of a customer's."""
    if request.param == "by key":
        alert = ProductAlertFactory(product=product, user=None, email="fan@example.com")
        return alert, reverse("customer:alerts-cancel-by-key", kwargs={"key": alert.key})
    alert = request.getfixturevalue("customer_alert")
    client.force_login(alert.user)
    return alert, reverse("customer:alerts-cancel-by-pk", kwargs={"pk": alert.pk})


@pytest.mark.parametrize("target", BYPASS_FORMS)
def test_cancelling_never_leaves_the_shop(client, cancel_url, product, target):
    alert, url = cancel_url

    response = client.get(url, {"next": target})

    assert response.status_code == 302
    assert browser_host(response["Location"]) == "testserver"
    assert response["Location"] == product.get_absolute_url()
    alert.refresh_from_db()
    assert alert.status == alert.CANCELLED


def test_cancel_from_the_account_page_returns_to_the_alert_list(client, customer_alert):
    client.force_login(customer_alert.user)
    alerts = reverse("customer:alerts-list")
    url = reverse("customer:alerts-cancel-by-pk", kwargs={"pk": customer_alert.pk})

    response = client.get(url, {"next": alerts})

    assert response["Location"] == alerts


def test_cancel_by_key_of_an_unknown_alert_is_404(client):
    url = reverse("customer:alerts-cancel-by-key", kwargs={"key": "no-such-key"})

    assert client.get(url, {"next": "https://evil.example"}).status_code == 404
