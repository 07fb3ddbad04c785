"""Password guessing is throttled on every login form (django-axes): after a handful of failures
an account is locked for the address guessing at it, for a cool-off, whatever the password."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.accounts.conftest import ADMIN, DASHBOARD, PASSWORD, STOREFRONT, WRONG, is_signed_in

LOCKED = "Too many failed sign-in attempts"


def fail_until_locked(login_form, client, identifier, **headers):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login_form.post(client, identifier, WRONG, **headers)
        assert response.status_code in (200, 429)
    return response


def test_the_right_password_is_refused_after_the_failure_limit(login_form, client, customer):
    fail_until_locked(login_form, client, customer.email)
    response = login_form.post(client, customer.email, PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not is_signed_in(client)


def test_a_few_mistakes_do_not_lock_anyone_out(login_form, client, customer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login_form.post(client, customer.email, WRONG).status_code == 200
    assert login_form.post(client, customer.email, PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_the_lockout_page_is_in_the_shops_look_and_never_cached(login_form, client, customer):
    fail_until_locked(login_form, client, customer.email)
    response = login_form.post(client, customer.email, PASSWORD)
    page = response.content.decode()
    assert 'class="site-header"' in page and settings.OSCAR_SHOP_NAME in page
    assert "no-store" in response["Cache-Control"]
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_the_lockout_holds_for_the_cool_off_then_lifts(client, customer, db):
    fail_until_locked(STOREFRONT, client, customer.email)
    assert STOREFRONT.post(client, customer.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME
    )
    assert STOREFRONT.post(client, customer.email, PASSWORD).status_code == 302


def test_the_same_account_however_spelt_and_from_any_form_shares_one_count(client, customer):
    for spelling in ["YUKI@example.com", "yuki@EXAMPLE.COM", " yuki@example.com "]:
        STOREFRONT.post(client, spelling, WRONG)
    ADMIN.post(client, "yuki", WRONG)  # the username, where a form asks for one
    DASHBOARD.post(client, "Yuki@Example.com", WRONG)
    assert STOREFRONT.post(client, customer.email, PASSWORD).status_code == 429


def test_another_address_is_not_locked_out_by_someone_elses_guessing(client, customer):
    fail_until_locked(STOREFRONT, client, customer.email, REMOTE_ADDR="203.0.113.7")
    elsewhere = Client(REMOTE_ADDR="198.51.100.20")
    assert STOREFRONT.post(elsewhere, customer.email, PASSWORD).status_code == 302


def test_a_successful_login_clears_earlier_failures(client, customer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        STOREFRONT.post(client, customer.email, WRONG)
    assert STOREFRONT.post(client, customer.email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert STOREFRONT.post(client, customer.email, WRONG).status_code == 200
    assert STOREFRONT.post(client, customer.email, PASSWORD).status_code == 302


def test_staff_can_unlock_an_account_from_the_admin(client, customer, staff_client):
    fail_until_locked(STOREFRONT, client, customer.email)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == customer.username  # the account, however it was spelt
    listed = staff_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listed.status_code == 200 and customer.username in listed.content.decode()
    staff_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert not AccessAttempt.objects.exists()
    assert STOREFRONT.post(client, customer.email, PASSWORD).status_code == 302


@pytest.mark.page_cache
def test_login_and_lockout_pages_are_never_served_from_the_page_cache(client, customer):
    for _ in range(2):
        page = client.get(STOREFRONT.url)
        assert page.status_code == 200 and "X-Page-Cache" not in page
    fail_until_locked(STOREFRONT, client, customer.email)
    for _ in range(2):
        assert "X-Page-Cache" not in client.get(STOREFRONT.url)
        assert STOREFRONT.post(client, customer.email, PASSWORD).status_code == 429
