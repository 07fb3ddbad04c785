"""Signing in or registering returns to the page asked for, when it is a page of this site."""

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from tests.offsite import BYPASS_FORMS, browser_host

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase 42"


def sign_in(client, user, redirect_url):
    return client.post(
        reverse("customer:login"),
        {
            "login_submit": "1",
            "login-username": user.email,
            "login-password": PASSWORD,
            "login-redirect_url": redirect_url,
        },
    )


def register(client, redirect_url, *, on_sign_in_page):
    """Through the sign-in page's registration form, or the registration page's."""
    fields = {
        "email": "new.fan@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "redirect_url": redirect_url,
    }
    if on_sign_in_page:
        data = {f"registration-{name}": value for name, value in fields.items()}
        return client.post(reverse("customer:login"), {"registration_submit": "1", **data})
    return client.post(reverse("customer:register"), fields)


@pytest.mark.parametrize("target", BYPASS_FORMS)
def test_signing_in_never_leaves_the_shop(client, target):
    user = UserFactory(password=PASSWORD)

    response = sign_in(client, user, target)

    assert response.status_code == 302
    assert browser_host(response["Location"]) == "testserver"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signing_in_returns_to_the_page_asked_for(client):
    response = sign_in(client, UserFactory(password=PASSWORD), "/basket/")

    assert response["Location"] == "/basket/"


@pytest.mark.parametrize("on_sign_in_page", [True, False])
@pytest.mark.parametrize("target", BYPASS_FORMS)
def test_registering_never_leaves_the_shop(client, target, on_sign_in_page):
    response = register(client, target, on_sign_in_page=on_sign_in_page)

    assert response.status_code == 302
    assert browser_host(response["Location"]) == "testserver"
