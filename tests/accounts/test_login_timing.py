"""An unknown e-mail and a wrong password take the same time to fail: both hash the password once
(Django's ModelBackend runs the hasher against a dummy when nobody matches), so timing does not
tell an attacker who has an account."""

import statistics
import time

from django.conf import global_settings
from django.contrib.auth import authenticate
from django.test import RequestFactory

from tests.accounts.conftest import PASSWORD, WRONG

TRIES = 50
REAL_HASHERS = global_settings.PASSWORD_HASHERS  # PBKDF2 first, as in production


def failing_login(identifier: str, n: int) -> float:
    """Seconds one failed attempt takes, through every configured backend; each from its own
    address, so the throttle does not stop it before the hasher runs."""
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=f"10.9.{n // 250}.{n % 250}")
    started = time.perf_counter()
    user = authenticate(request, username=identifier, password=WRONG)
    elapsed = time.perf_counter() - started
    assert user is None
    return elapsed


def test_unknown_e_mail_and_wrong_password_fail_in_the_same_time(settings, django_user_model):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    user = django_user_model.objects.create_user("yuki", "yuki@example.com", PASSWORD)
    assert user.password.startswith("pbkdf2_sha256$")
    known, unknown = [], []
    for n in range(TRIES):  # interleaved, so a busy machine slows both alike
        known.append(failing_login("yuki@example.com", 2 * n))
        unknown.append(failing_login("nobody-here@example.com", 2 * n + 1))
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    assert abs(known_median - unknown_median) <= 0.2 * min(known_median, unknown_median), (
        f"wrong password {known_median * 1000:.1f} ms, unknown e-mail {unknown_median * 1000:.1f} ms"
    )


def test_the_admin_username_fails_in_the_same_time_as_an_unknown_one(settings, django_user_model):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    django_user_model.objects.create_user("yuki", "yuki@example.com", PASSWORD)
    known, unknown = [], []
    for n in range(TRIES // 5):
        known.append(failing_login("yuki", 2 * n))
        unknown.append(failing_login("nobody", 2 * n + 1))
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    assert abs(known_median - unknown_median) <= 0.2 * min(known_median, unknown_median)
