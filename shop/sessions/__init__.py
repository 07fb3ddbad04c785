"""The shop's session engines: Django's, writing a new session with one INSERT.

Django draws a new session key and asks the store whether it is taken before writing it (a
database query, with `cached_db` a cache read as well) on every first visit that adds to a basket
or starts a checkout. The table's primary key already refuses a taken key, and Django's `create()`
then draws another, so the question is left out.
"""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.utils.crypto import get_random_string


class DrawsKeysUnchecked:
    def _get_new_session_key(self) -> str:
        # A taken key fails `save(must_create=True)`; `create()` then draws again.
        return get_random_string(32, VALID_KEY_CHARS)
