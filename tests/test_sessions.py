"""A new session is written with one INSERT: its key is not looked up first. A key that is
already taken (one chance in 36^32) is refused by the table's primary key, and another is drawn."""

from importlib import import_module
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def test_a_new_session_is_written_without_looking_its_key_up():
    session = SessionStore()
    session["seen"] = "the checkout"

    with CaptureQueriesContext(connection) as queries:
        session.create()

    statements = [query["sql"].split()[0] for query in queries]
    assert "SELECT" not in statements
    assert statements.count("INSERT") == 1
    assert Session.objects.get(pk=session.session_key).get_decoded() == {"seen": "the checkout"}


def test_a_key_already_taken_is_drawn_again_and_the_other_session_is_kept():
    taken = SessionStore()
    taken["owner"] = "first shopper"
    taken.create()
    fresh = "k" * 32

    session = SessionStore()
    session["owner"] = "second shopper"
    drawn = iter([taken.session_key, fresh])
    with mock.patch("shop.sessions.get_random_string", side_effect=lambda *args: next(drawn)):
        session.create()

    assert session.session_key == fresh
    assert Session.objects.get(pk=fresh).get_decoded() == {"owner": "second shopper"}
    assert Session.objects.get(pk=taken.session_key).get_decoded() == {"owner": "first shopper"}
