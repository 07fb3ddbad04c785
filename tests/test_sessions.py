"""A new session is written with one INSERT: its key is not looked up first. A key that is
already taken (one chance in 36^32) is refused by the table's primary key, and another is drawn."""

from importlib import import_module
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
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


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("engine", ["shop.sessions.db", "shop.sessions.cached_db"])
def test_outside_a_transaction_a_session_is_written_with_its_one_statement_alone(engine):
    """The session middleware writes the session after the view's transaction: no BEGIN and
    COMMIT of its own around the INSERT or the UPDATE (two round trips each)."""
    session = import_module(engine).SessionStore()
    session["step"] = "basket"
    with CaptureQueriesContext(connection) as created:
        session.create()
    session["step"] = "checkout"
    with CaptureQueriesContext(connection) as changed:
        session.save()

    assert [query["sql"].split()[0] for query in created] == ["INSERT"]
    assert [query["sql"].split()[0] for query in changed] == ["UPDATE"]
    assert Session.objects.get(pk=session.session_key).get_decoded() == {"step": "checkout"}
    assert import_module(engine).SessionStore(session.session_key)["step"] == "checkout"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_a_taken_key_is_still_drawn_again():
    taken = SessionStore()
    taken["owner"] = "first shopper"
    taken.create()
    session = SessionStore()
    session["owner"] = "second shopper"
    drawn = iter([taken.session_key, "k" * 32])
    with mock.patch("shop.sessions.get_random_string", side_effect=lambda *args: next(drawn)):
        session.create()

    assert Session.objects.get(pk="k" * 32).get_decoded() == {"owner": "second shopper"}
    assert Session.objects.get(pk=taken.session_key).get_decoded() == {"owner": "first shopper"}


@pytest.mark.django_db(transaction=True)
def test_a_session_deleted_meanwhile_is_not_written_back():
    """As Django's: a change to a session deleted since it was read (signed out in another tab)
    raises UpdateError, which the middleware answers with its "session interrupted" page."""
    session = SessionStore()
    session["step"] = "basket"
    session.create()
    Session.objects.filter(pk=session.session_key).delete()

    session["step"] = "checkout"
    with pytest.raises(UpdateError):
        session.save()
    assert not Session.objects.filter(pk=session.session_key).exists()


def test_a_new_cached_session_is_written_to_the_cache_once():
    """The session middleware saves a new session with no key yet: `create()` draws one and
    saves with it, cache included, and Django's cached_db then cached it a second time."""
    store = import_module("shop.sessions.cached_db").SessionStore()
    store["catalogue:just-added"] = [1, "/checkout/"]
    real_set = store._cache.set
    with mock.patch.object(store._cache, "set", side_effect=real_set) as cache_set:
        store.save()

    assert [call.args[0] for call in cache_set.call_args_list] == [store.cache_key]
    again = import_module("shop.sessions.cached_db").SessionStore(store.session_key)
    assert again.load() == {"catalogue:just-added": [1, "/checkout/"]}
    assert Session.objects.get(pk=store.session_key).get_decoded() == again.load()
