"""A fixed-window counter in the shared cache, so every app server sees the same count.

Keys carry the window number, so a backend whose incr() resets the expiry (the database
cache) still starts a fresh count in the next window.
"""

import time

from django.core.cache import cache


def now() -> float:
    """The clock the windows follow (tests replace this, not time.time, which caches use)."""
    return time.time()


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while the attempts in this window stay within the limit."""
    if limit <= 0 or window <= 0:
        return True
    bucket = int(now()) // window
    cache_key = f"ratelimit:{key}:{bucket}"
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window's first attempt, unless another server just began it
        count = 1 if cache.add(cache_key, 1, timeout=window + 5) else cache.incr(cache_key)
    # None: the cache is down (django-redis ignores its errors), and counters fail open
    # rather than lock every reader out.
    return count is None or count <= limit
