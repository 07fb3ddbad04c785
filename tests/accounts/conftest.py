"""Signing in from each of the shop's login forms, as a shopper's or an attacker's browser would."""

from dataclasses import dataclass, replace

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import merch
from tests.shopping import add_to_basket

PASSWORD = "moonlit-ronin-fan-club"
WRONG = "not-the-password-at-all"


@dataclass(frozen=True)
class LoginForm:
    """One of the forms a person signs in with: where it posts, and its two field names."""

    name: str
    url_name: str
    username_field: str
    password_field: str
    extra: tuple = ()
    by_username: bool = False  # the admin and dashboard forms ask for a username (or e-mail)
    basket_item: object = None  # the checkout's form is shown only with something to buy

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    def visitor(self, **defaults) -> Client:
        """A new browser, at the point where this form is shown."""
        client = Client(**defaults)
        if self.basket_item is not None:
            add_to_basket(client, self.basket_item)
        return client

    def post(self, client, identifier, password, **headers):
        data = {self.username_field: identifier, self.password_field: password, **dict(self.extra)}
        return client.post(self.url, data, **headers)


STOREFRONT = LoginForm(
    "storefront",
    "customer:login",
    "login-username",
    "login-password",
    extra=(("login_submit", "1"),),
)
ADMIN = LoginForm("admin", "admin:login", "username", "password", by_username=True)
DASHBOARD = LoginForm("dashboard", "dashboard:login", "username", "password", by_username=True)
CHECKOUT = LoginForm(
    "checkout", "checkout:index", "username", "password", extra=(("options", "existing"),)
)
LOGIN_FORMS = [STOREFRONT, ADMIN, DASHBOARD, CHECKOUT]


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    """Dozens of logins per test: a cheap hasher first (the demo's seeded PBKDF2 hash still
    checks). tests/accounts/test_login_timing.py measures with the real one."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture(params=LOGIN_FORMS, ids=lambda form: form.name)
def login_form(request, client, db):
    """Each login form in turn; `client` is ready to use it (the checkout's needs a basket)."""
    form = request.param
    if form is CHECKOUT:
        form = replace(form, basket_item=merch("Gateway Pin", price="9.00", stock=5))
        add_to_basket(client, form.basket_item)
    return form


@pytest.fixture
def customer(django_user_model):
    """A staff member with an e-mail address: every login form lets them in."""
    return django_user_model.objects.create_user(
        "yuki", "yuki@example.com", PASSWORD, is_staff=True
    )


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session
