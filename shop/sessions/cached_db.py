"""Django's cached_db session engine, a session written with one statement (shop.sessions)."""

from django.contrib.sessions.backends import cached_db

from shop.sessions import DrawsKeysUnchecked, WritesOneStatement


# cached_db's save writes the cache after its parent's, which WritesOneStatement stands in for.
class SessionStore(DrawsKeysUnchecked, cached_db.SessionStore, WritesOneStatement):
    pass
