"""Django's cached_db session engine, a session written with one statement (shop.sessions)."""

from django.contrib.sessions.backends import cached_db

from shop.sessions import DrawsKeysUnchecked, WritesOneStatement


# cached_db's save writes the cache after its parent's, which WritesOneStatement stands in for.
class SessionStore(DrawsKeysUnchecked, cached_db.SessionStore, WritesOneStatement):
    def save(self, must_create=False):
        if self.session_key is None:
            # create() saves through here with the new key, and caches it: not a second time.
            return self.create()
        return super().save(must_create)
