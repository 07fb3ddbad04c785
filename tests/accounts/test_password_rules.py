"""Passwords are at least 12 characters and never the shop's own name, wherever one is chosen:
registration, password change and password reset."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts.conftest import PASSWORD

ELEVEN = "kx9-fern-q2b"[:11]
TWELVE = "kx9-fern-q2bz"[:12]


def register(client, password):
    return client.post(
        reverse("customer:register"),
        {"email": "fan@example.com", "password1": password, "password2": password},
    )


def test_registration_refuses_eleven_characters_and_takes_twelve(client, db):
    refused = register(client, ELEVEN)
    assert refused.status_code == 200
    assert "at least 12 characters" in refused.content.decode()
    assert register(client, TWELVE).status_code == 302


@pytest.mark.parametrize(
    "password",
    [
        "pinsenpai123!",
        "PinSenpai-2026",
        "Pin Senpai rocks",
        "my-pin_senpai-pw",
        "pinsenpai.example",
    ],
)
def test_the_shops_own_name_is_refused(password, db):
    with pytest.raises(ValidationError, match="shop"):
        validate_password(password)


def test_a_long_unrelated_password_is_accepted(db):
    validate_password("enamel-pins-on-a-denim-jacket")


def test_password_change_enforces_the_rules(client, django_user_model):
    user = django_user_model.objects.create_user("yuki", "yuki@example.com", PASSWORD)
    client.force_login(user)
    url = reverse("customer:change-password")
    data = {"old_password": PASSWORD, "new_password1": ELEVEN, "new_password2": ELEVEN}
    assert "at least 12 characters" in client.post(url, data).content.decode()
    data.update(new_password1="PinSenpai-2026", new_password2="PinSenpai-2026")
    assert "contain the shop" in client.post(url, data).content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_enforces_the_rules(client, django_user_model):
    user = django_user_model.objects.create_user("yuki", "yuki@example.com", PASSWORD)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    landing = client.get(reverse("password-reset-confirm", args=[uid, token]))
    assert landing.status_code == 302  # Django swaps the token for a session and redirects
    form = landing["Location"]
    refused = client.post(form, {"new_password1": ELEVEN, "new_password2": ELEVEN})
    assert "at least 12 characters" in refused.content.decode()
    assert client.post(form, {"new_password1": TWELVE, "new_password2": TWELVE}).status_code == 302
    user.refresh_from_db()
    assert user.check_password(TWELVE)
