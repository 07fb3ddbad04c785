"""The demo seed's staff account has a published password: it signs in only while DEBUG is on,
from no login form at all once DEBUG is off, even in a database promoted from a demo."""

import pytest
from django.contrib.auth import get_user_model

from shop.accounts.demo import is_demo_account
from shop.devtools.demo.seed import DEMO_STAFF
from tests.accounts.conftest import is_signed_in

User = get_user_model()


def identifier(login_form) -> str:
    return DEMO_STAFF["username"] if login_form.by_username else DEMO_STAFF["email"]


def test_the_seed_marks_its_staff_account_as_a_demo_account(demo_shop):
    staff = User.objects.get(username=DEMO_STAFF["username"])
    assert staff.is_superuser and is_demo_account(staff)
    assert not is_demo_account(User.objects.create_superuser("boss", "boss@example.com", "x"))


def test_with_debug_off_the_demo_staff_cannot_sign_in_anywhere(
    demo_shop, login_form, client, settings
):
    settings.DEBUG = False
    response = login_form.post(client, identifier(login_form), DEMO_STAFF["password"])
    assert response.status_code == 200  # the form again, with the usual error
    assert not is_signed_in(client)


def test_with_debug_on_the_demo_staff_signs_in_as_printed(demo_shop, login_form, client, settings):
    settings.DEBUG = True
    response = login_form.post(client, identifier(login_form), DEMO_STAFF["password"])
    assert response.status_code == 302
    assert is_signed_in(client)


@pytest.mark.parametrize("debug", [False, True])
def test_other_staff_sign_in_whatever_debug_says(db, login_form, client, settings, debug):
    settings.DEBUG = debug
    User.objects.create_superuser("boss", "boss@example.com", "a-real-staff-password")
    who = "boss" if login_form.by_username else "boss@example.com"
    assert login_form.post(client, who, "a-real-staff-password").status_code == 302
    assert is_signed_in(client)
