"""Whole-page cache for anonymous readers, invalidated precisely by generation tokens.

A reader without a session cookie gets the same page as every other such reader, so the page is
rendered once and served from the shared cache (and marked `Cache-Control: public` for a CDN).
Each cached page depends on a few generation tokens: "global" (articles, tags, sources), "lists"
(comment counts on listings) and one per article (its comments). A write replaces the tokens it
affects after its transaction commits; a page stored under older tokens is then a miss.
Signed-in readers always get a fresh, private page, put together from parts cached under the
same tokens (generations(), newsite/fragments.py).
"""

import contextlib
import functools
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control, quote_etag

logger = logging.getLogger(__name__)

GLOBAL = "gen:global"
LISTS = "gen:lists"
# When the next scheduled article goes live: pages cached before then go stale at that moment.
NEXT_PUBLICATION = "gen:next-publication"
PAGE_TIMEOUT = 60 * 60 * 24


def article_generation(slug: str) -> str:
    return f"gen:article:{slug}"


def _bump(*generations: str) -> None:
    try:
        cache.set_many({key: uuid.uuid4().hex for key in generations}, None)
    except Exception:
        # The write itself has committed; the cached pages expire on their own.
        logger.exception("page cache invalidation failed for %s", generations)


class _Invalidation:
    """The tokens one transaction renews, sent together when it commits."""

    def __init__(self) -> None:
        self.generations: set[str] = set()
        self.schedule = False

    def __call__(self) -> None:
        if self.schedule:
            remember_next_publication()
        if self.generations:
            _bump(*self.generations)


_deferred = threading.local()


def invalidate(*generations: str, schedule: bool = False) -> None:
    """Replace the given generation tokens once the current transaction commits."""
    batch = getattr(_deferred, "batch", None)
    waiting = batch or _Invalidation()
    waiting.generations.update(generations)
    waiting.schedule |= schedule
    if batch is None:
        transaction.on_commit(waiting)  # runs at once outside a transaction


@contextlib.contextmanager
def deferred_invalidation() -> Iterator[None]:
    """Collect the invalidations of many writes (a bulk import) and send each token once.

    Use inside the transaction that makes the writes.
    """
    batch = _deferred.batch = _Invalidation()
    try:
        yield
    finally:
        _deferred.batch = None
    transaction.on_commit(batch)


class CacheUnavailable(Exception):
    """The shared cache answers nothing (the fail-soft backend hides its errors)."""


def _current(generations: Sequence[str], also: Sequence[str] = ()) -> dict:
    """The tokens' current values, and the entries of the keys `also` names that are in the
    cache, in one round trip unless something must be renewed.

    A scheduled article that went live since renews GLOBAL first. A token missing from the
    cache (never set, evicted, flushed) gets a new value, so a fragment kept in a process's
    memory under an old value can never come back.
    """
    found = cache.get_many([NEXT_PUBLICATION, *generations, *also])
    due = found.get(NEXT_PUBLICATION)
    if due is not None and time.time() >= due:
        _bump(GLOBAL)
        remember_next_publication()
        found = cache.get_many([*generations, *also])
    missing = [name for name in generations if found.get(name) is None]
    if missing:
        for name in missing:
            cache.add(name, uuid.uuid4().hex, None)
        found.update(cache.get_many(missing))
        if any(found.get(name) is None for name in missing):
            raise CacheUnavailable("generation tokens cannot be stored")
    return found


def generations(request: HttpRequest, *names: str) -> tuple[str | None, ...]:
    """The current value of each named token, for keying fragments; Nones if the cache is down.

    PageCacheMiddleware leaves the tokens it fetched on the request, so a page cache miss
    costs no second round trip; a signed-in reader's session is read in the same round trip
    as the tokens (newsite/sessions.py).
    """
    if not settings.FRAGMENT_CACHE:
        return (None,) * len(names)
    known = getattr(request, "page_generations", {})
    wanted = [name for name in names if name not in known]
    try:
        if wanted:
            session = getattr(request, "session", None)
            session_key = getattr(session, "unread_cache_key", None)
            found = _current(wanted, also=[session_key] if session_key else [])
            if session_key:
                session.read_from(found)
            known = {**known, **{name: found[name] for name in wanted}}
    except Exception:
        logger.warning("cache unavailable; fragments rendered afresh", exc_info=True)
        return (None,) * len(names)
    request.page_generations = known
    return tuple(known[name] for name in names)


def remember_next_publication() -> None:
    """Note when the next scheduled article goes live (no cron job needed to publish it)."""
    from articles.models import Article

    upcoming = (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if upcoming is None:
        cache.delete(NEXT_PUBLICATION)
    else:
        cache.set(NEXT_PUBLICATION, upcoming.timestamp(), None)


def is_cookieless_reader(request: HttpRequest) -> bool:
    """No session and no pending messages: the page cannot hold anything personal."""
    return not any(name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, "messages"))


class CookielessAnonymousMiddleware:
    """Readers without a session cookie are anonymous without a session lookup.

    Django's lazy `request.user` reads the session, which marks the response `Vary: Cookie`
    and so defeats shared caches even though the session was empty.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            request.user = AnonymousUser()

            async def auser() -> AnonymousUser:
                return request.user

            request.auser = auser
        return self.get_response(request)


def _cacheable(response: HttpResponse) -> bool:
    vary = response.headers.get("Vary", "").lower()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "cookie" not in vary
    )


def page_number_variant(request: HttpRequest) -> str:
    """A paginated list's page, read as ListView reads it (an int, or "last")."""
    page = request.GET.get("page") or "1"
    try:
        return str(int(page))
    except ValueError:
        return page[:20]  # ListView answers 404, which is not kept


def anonymous_page_cache(
    depends_on: Callable[..., Iterable[str]],
    *,
    variant: Callable[[HttpRequest], str] = page_number_variant,
    max_age: int = 60,
) -> Callable:
    """Mark a view's pages cacheable for cookieless readers (PageCacheMiddleware serves them).

    `depends_on(**url_kwargs)` names the generations the page shows besides GLOBAL.
    `variant(request)` is what of the query string the page shows, normalised: a page is kept
    once per variant, so other parameters (the utm_ and fbclid tags that shared links gather,
    a different value every click) neither miss the cache nor fill it.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if is_cookieless_reader(request):
                if _cacheable(response):
                    patch_cache_control(response, public=True, max_age=max_age)
            else:
                patch_cache_control(response, private=True, no_cache=True)
            return response

        wrapped.page_cache_depends_on = depends_on
        wrapped.page_cache_variant = variant
        return wrapped

    return decorator


@functools.lru_cache(maxsize=4096)
def _cacheable_page(path: str) -> tuple[tuple[str, ...], Callable[[HttpRequest], str]] | None:
    """The tokens a cacheable page at `path` depends on, and its variant; None for any other
    path. Remembered per path: resolving URLs cost a hit a fifth of its time.
    """
    try:
        match = resolve(path)
    except Resolver404:
        return None
    depends_on = getattr(match.func, "page_cache_depends_on", None)
    if depends_on is None:
        return None
    return (GLOBAL, *depends_on(**match.kwargs)), match.func.page_cache_variant


class PageCacheMiddleware:
    """Serve cached pages before sessions, authentication and templates are touched.

    Sits just below WhiteNoise, so a hit costs one read of the tokens from the shared cache
    (one query on the database cache), the page from this process's memory (or, the first
    time, from the shared cache), and the headers the middleware below added when it was
    stored.
    A broken cache never breaks the site: the page is rendered as if nothing was cached.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not settings.PAGE_CACHE
            or request.method not in {"GET", "HEAD"}
            or not is_cookieless_reader(request)
        ):
            return self.get_response(request)
        page = _cacheable_page(request.path_info)
        if page is None:
            return self.get_response(request)
        generations, variant = page

        key = "page:" + hashlib.sha256(f"{request.path}?{variant(request)}".encode()).hexdigest()
        try:
            found = _current(generations)
            current = tuple(found[g] for g in generations)
            # This process's own copy, named by the tokens, spares fetching and decoding the
            # page from the shared cache; the shared copy serves the other processes.
            local_key = f"{key}:{hash(current)}"
            stored = caches["pages"].get(local_key)
            if stored is None:
                stored = cache.get(key)
                if stored and stored[0] == current:
                    caches["pages"].set(local_key, stored, PAGE_TIMEOUT)
        except Exception:
            logger.warning("page cache unavailable; rendering %s", request.path, exc_info=True)
            return self.get_response(request)

        if stored and stored[0] == current:
            _, status, headers, content = stored
            response = HttpResponse(content, status=status, headers=headers)
            response["X-Page-Cache"] = "hit"
            return response

        request.page_generations = dict(zip(generations, current, strict=True))
        response = self.get_response(request)
        if _cacheable(response):
            digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response.headers.setdefault("ETag", quote_etag(digest))
            entry = (
                current,
                response.status_code,
                dict(response.headers.items()),
                response.content,
            )
            try:
                cache.set(key, entry, PAGE_TIMEOUT)
                caches["pages"].set(local_key, entry, PAGE_TIMEOUT)
            except Exception:
                logger.warning("page cache unavailable; %s not stored", request.path, exc_info=True)
            response["X-Page-Cache"] = "miss"
        return response


def page_lists(**kwargs) -> list[str]:
    return [LISTS]


def page_article(*, slug: str, **kwargs) -> list[str]:
    return [article_generation(slug)]
