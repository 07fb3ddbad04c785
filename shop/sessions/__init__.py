"""The shop's session engines: Django's, writing a session with one statement.

Django draws a new session key and asks the store whether it is taken before writing it (a
database query, with `cached_db` a cache read as well) on every first visit that adds to a basket
or starts a checkout. The table's primary key already refuses a taken key, and Django's `create()`
then draws another, so the question is left out.

Django also writes the session's row inside a transaction of its own, BEGIN and COMMIT around the
one INSERT or UPDATE, so that a failed write leaves an outer transaction usable. Outside any
transaction, where the session middleware writes it after the view, the statement is atomic by
itself: it is sent alone, two round trips fewer on every request that changes the session (three
in a guest's checkout). Inside one (a sign-in), Django's savepoint stays.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError, UpdateError
from django.db import DatabaseError, IntegrityError, router, transaction
from django.utils.crypto import get_random_string


class DrawsKeysUnchecked:
    def _get_new_session_key(self) -> str:
        # A taken key fails `save(must_create=True)`; `create()` then draws again.
        return get_random_string(32, VALID_KEY_CHARS)


class WritesOneStatement(db.SessionStore):
    def save(self, must_create=False):
        if self.session_key is None:
            return self.create()
        row = self.create_model_instance(self._get_session(no_load=must_create))
        using = router.db_for_write(self.model, instance=row)
        if transaction.get_connection(using).in_atomic_block:
            return super().save(must_create)
        try:  # as Django's, without the transaction
            row.save(force_insert=must_create, force_update=not must_create, using=using)
        except IntegrityError:
            if must_create:
                raise CreateError from None
            raise
        except DatabaseError:
            if not must_create:
                raise UpdateError from None
            raise
