"""An unknown e-mail or username and a wrong password fail after the same work: each hashes the
password exactly once, with the same iterations (Django's ModelBackend runs the hasher against a
dummy when nobody matches), so the time a failure takes does not tell an attacker who has an
account. Counted, not timed: a timed test says more about the machine's load than the code."""

import pytest
from django.conf import global_settings
from django.contrib.auth import authenticate, hashers
from django.test import RequestFactory

from tests.accounts.conftest import PASSWORD, WRONG

REAL_HASHERS = global_settings.PASSWORD_HASHERS  # PBKDF2 first, as in production


@pytest.fixture
def hashings(settings, monkeypatch) -> list[int]:
    """The iterations of every PBKDF2 run, as authenticate() makes them."""
    settings.PASSWORD_HASHERS = REAL_HASHERS
    runs = []
    real = hashers.pbkdf2

    def counted(password, salt, iterations, *args, **kwargs):
        runs.append(iterations)
        return real(password, salt, iterations, *args, **kwargs)

    monkeypatch.setattr(hashers, "pbkdf2", counted)
    return runs


def failing_login(identifier: str, runs: list[int]) -> list[int]:
    """The hashing one failed attempt did, through every configured backend; from an address of
    its own, so the throttle does not stop it before the hasher runs."""
    runs.clear()
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=f"10.9.{len(identifier)}.7")
    assert authenticate(request, username=identifier, password=WRONG) is None
    return list(runs)


@pytest.mark.parametrize(
    ("known", "unknown"),
    [("yuki@example.com", "nobody-here@example.com"), ("yuki", "nobody")],
    ids=["e-mail", "username"],
)
def test_a_wrong_password_and_an_unknown_account_hash_alike(
    hashings, django_user_model, known, unknown
):
    user = django_user_model.objects.create_user("yuki", "yuki@example.com", PASSWORD)
    assert user.password.startswith("pbkdf2_sha256$")
    iterations = hashers.PBKDF2PasswordHasher.iterations

    assert failing_login(known, hashings) == [iterations]
    assert failing_login(unknown, hashings) == [iterations]
