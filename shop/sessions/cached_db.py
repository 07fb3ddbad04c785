"""Django's cached_db session engine, a new session written with one INSERT (shop.sessions)."""

from django.contrib.sessions.backends import cached_db

from shop.sessions import DrawsKeysUnchecked


class SessionStore(DrawsKeysUnchecked, cached_db.SessionStore):
    pass
