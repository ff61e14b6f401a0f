"""Sessions read from the shared cache and kept in the database (Django's cached_db), which a
page can read in the same round trip as its generation tokens (pagecache.generations()).

A signed-in page view needs both: the tokens to find its cached parts, the session to find its
reader. One read instead of two took a signed-in article view on PostgreSQL + Redis from 0.89
to 0.86 ms (benchmarks/profile.py).
"""

from django.conf import settings
from django.contrib.sessions.backends import cached_db


class SessionStore(cached_db.SessionStore):
    @property
    def unread_cache_key(self) -> str | None:
        """The shared cache key of a session the request named but has not read yet."""
        if (
            hasattr(self, "_session_cache")
            or not self.session_key
            # Django's keys are ASCII letters and digits: odd cookie bytes stay out of the cache.
            or not (self.session_key.isascii() and self.session_key.isalnum())
            or settings.SESSION_CACHE_ALIAS != "default"
        ):
            return None
        return self.cache_key

    def read_from(self, found: dict) -> None:
        """Take this session from cache entries read together with others (`unread_cache_key`);
        one not among them (expired from the cache, say) is read as usual when first needed."""
        data = found.get(self.cache_key)
        if data is not None:
            self._session_cache = data
