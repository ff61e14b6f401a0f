"""A fixed-window counter in the shared cache, so every app server sees the same count.

Keys carry the window number, so a backend whose incr() resets the expiry (the database
cache) still starts a fresh count in the next window.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import ngettext


def client_ip(request: HttpRequest) -> str | None:
    """The sender's address, trusting only as many proxies as allauth is told to."""
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def now() -> float:
    """The clock the windows follow (tests replace this, not time.time, which caches use)."""
    return time.time()


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one attempt; True while the attempts in this window stay within the limit."""
    return wait(key, limit=limit, window=window) == 0


def wait(key: str, *, limit: int, window: int) -> int:
    """Count one attempt; 0 while the attempts in this window stay within the limit, else the
    seconds until the window ends and attempts count afresh."""
    if limit <= 0 or window <= 0:
        return 0
    moment = now()
    bucket = int(moment) // window
    cache_key = f"ratelimit:{key}:{bucket}"
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window's first attempt, unless another server just began it
        count = 1 if cache.add(cache_key, 1, timeout=window + 5) else cache.incr(cache_key)
    # None: the cache is down (django-redis ignores its errors), and counters fail open
    # rather than lock every reader out.
    if count is None or count <= limit:
        return 0
    return max(1, math.ceil((bucket + 1) * window - moment))


def try_again_in(seconds: int) -> str:
    """ "Try again in 3 minutes": whole minutes rounded up, or seconds under a minute."""
    if seconds < 60:
        return ngettext("Try again in %(n)d second.", "Try again in %(n)d seconds.", seconds) % {
            "n": seconds
        }
    minutes = math.ceil(seconds / 60)
    return ngettext("Try again in %(n)d minute.", "Try again in %(n)d minutes.", minutes) % {
        "n": minutes
    }
