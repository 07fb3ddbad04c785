"""Django's database session engine, a new session written with one INSERT (shop.sessions)."""

from django.contrib.sessions.backends import db

from shop.sessions import DrawsKeysUnchecked


class SessionStore(DrawsKeysUnchecked, db.SessionStore):
    pass
