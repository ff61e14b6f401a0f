"""Rendered HTML kept in each process's memory (settings.CACHES "fragments", and "pages" for
whole pages and pages of threads).

A fragment's key names everything it shows: either a digest of its content, or the generation
tokens (newsite/pagecache.py) of the data it was rendered from. Either way a changed page gets a
new key, so entries need no invalidation and no network or database trip to read.
"""

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches

TIMEOUT = 60 * 60 * 24
T = TypeVar("T")


def fragment_key(name: str, *parts: object) -> str:
    return f"{name}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def cached(key: str | None, compute: Callable[[], T], *, store: str = "fragments") -> T:
    """compute()'s value, kept under `key`; `None` (nothing to key it by) computes afresh.

    `store="pages"` keeps whole pages apart, so the few large entries cannot crowd out the
    many small parts, and each cache's memory stays bounded by its entry count.
    """
    if key is None:
        return compute()
    cache = caches[store]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def by_generation(name: str, *parts: object) -> str | None:
    """The key of a fragment that stays the same while its parts (generation tokens, ids) do.

    None when a part is unknown (the shared cache is down, so no token) or such fragments are
    switched off (settings.FRAGMENT_CACHE): the caller then renders afresh.
    """
    if not settings.FRAGMENT_CACHE or any(part is None for part in parts):
        return None
    return fragment_key(name, *parts)
