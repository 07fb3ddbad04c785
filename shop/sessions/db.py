"""Django's database session engine, a session written with one statement (shop.sessions)."""

from shop.sessions import DrawsKeysUnchecked, WritesOneStatement


class SessionStore(DrawsKeysUnchecked, WritesOneStatement):
    pass
