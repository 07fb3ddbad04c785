"""A login form answers an unknown e-mail exactly as it answers a wrong password, and so does the
lockout page: neither tells an attacker whether an account exists."""

import re

from django.conf import settings

from tests.accounts.conftest import WRONG

UNKNOWN = "nobody-here@example.com"


def visible_text(response) -> str:
    """The page as a person reads it, less the CSRF token, the script nonce and the echoed e-mail
    address."""
    html = response.content.decode()
    html = re.sub(r'nonce="[^"]*"', "", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'value="[^"]*@[^"]*"', "", html)
    return html


def test_unknown_e_mail_and_wrong_password_read_the_same(login_form, customer):
    known = login_form.post(login_form.visitor(), customer.email, WRONG)
    unknown = login_form.post(login_form.visitor(), UNKNOWN, WRONG)
    assert known.status_code == unknown.status_code == 200
    assert visible_text(known) == visible_text(unknown)


def test_an_unknown_e_mail_is_locked_out_with_the_same_page(login_form, customer):
    pages = []
    for identifier in (customer.email, UNKNOWN):
        client = login_form.visitor()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            login_form.post(client, identifier, WRONG)
        locked = login_form.post(client, identifier, WRONG)
        assert locked.status_code == 429
        pages.append(visible_text(locked))
    assert pages[0] == pages[1]
    assert customer.email not in pages[0] and customer.username not in pages[0]
