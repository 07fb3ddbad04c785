"""The address a login attempt is counted against comes from the configured number of trusted
proxies (TRUSTED_PROXY_COUNT): a client cannot reset its count by sending X-Forwarded-For."""

from django.test import Client

from tests.accounts.conftest import PASSWORD, STOREFRONT, WRONG

PROXY = "10.0.0.2"  # the load balancer in front of the app servers


def test_rotating_x_forwarded_for_does_not_reset_the_count_without_proxies(settings, customer):
    settings.TRUSTED_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(settings.AXES_FAILURE_LIMIT):
        STOREFRONT.post(client, customer.email, WRONG, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = STOREFRONT.post(client, customer.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_claims(settings, customer):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR=PROXY)
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The client sends its own header; the proxy appends the address it really came from.
        forwarded = f"192.0.2.{n}, 203.0.113.7"
        STOREFRONT.post(client, customer.email, WRONG, HTTP_X_FORWARDED_FOR=forwarded)
    response = STOREFRONT.post(
        client, customer.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7"
    )
    assert response.status_code == 429
    other_shopper = STOREFRONT.post(
        Client(REMOTE_ADDR=PROXY), customer.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20"
    )
    assert other_shopper.status_code == 302


def test_behind_two_proxies_the_outer_proxys_view_counts(settings, customer):
    settings.TRUSTED_PROXY_COUNT = 2
    client = Client(REMOTE_ADDR=PROXY)
    for n in range(settings.AXES_FAILURE_LIMIT):
        forwarded = f"192.0.2.{n}, 203.0.113.7, 10.0.0.1"
        STOREFRONT.post(client, customer.email, WRONG, HTTP_X_FORWARDED_FOR=forwarded)
    response = STOREFRONT.post(
        client, customer.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1"
    )
    assert response.status_code == 429


def test_a_garbled_or_short_forwarded_header_counts_the_connection_and_never_fails(
    settings, customer
):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR=PROXY)
    for forwarded in ["", "not-an-address", "999.1.1.1", ", ,", "203.0.113.7:443", "\u0661.1.1.1"]:
        response = STOREFRONT.post(client, customer.email, WRONG, HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code in (200, 429)
    assert STOREFRONT.post(client, customer.email, PASSWORD).status_code == 429
