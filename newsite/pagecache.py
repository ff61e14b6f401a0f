"""The anonymous page cache, and the content versions that invalidate it and page fragments.

A reader without a session cookie gets the same page as every other such reader, so the page is
rendered once and kept in the shared cache, and a copy in each process's memory. Each kept page
names the content versions it shows: "site" (articles, tags, sources, names), "lists" (comment
counts on listings), "notices" (counted on the moderation record) and one per article's
discussion. A write replaces the versions it affects once its transaction commits, and a page
kept under older versions is then a miss. Templates key their `{% cache %}` fragments by the
same versions (`versions()`), so they need no invalidation either.

HTTP caching, decided here for every response (CacheHeadersMiddleware):
- a page for a reader without a session may be kept by shared caches (nginx, a CDN) for
  `SHARED_MAX_AGE` seconds; browsers revalidate it on every view (ETag, 304);
- a response to a request that carries a session is private and revalidated, so a reader who
  logs in or out sees the right page at once.
"""

import contextlib
import functools
import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag

logger = logging.getLogger(__name__)

SITE = "version:site"
LISTS = "version:lists"
# Notices of illegal content and their decisions, counted on the public moderation record.
NOTICES = "version:notices"
# When the next scheduled article goes live: pages kept before then go stale at that moment.
NEXT_PUBLICATION = "version:next-publication"
PAGE_TIMEOUT = 60 * 60 * 24
# How long nginx or a CDN may serve an anonymous page without asking us again.
SHARED_MAX_AGE = 60


def discussion(slug: str) -> str:
    """The version name of an article's discussion (its comments and their counts)."""
    return f"version:discussion:{slug}"


# --- invalidation ---------------------------------------------------------------------------


def _renew(*names: str) -> None:
    try:
        cache.set_many({name: uuid.uuid4().hex for name in names}, None)
    except Exception:
        # The write itself has committed; the kept pages expire on their own.
        logger.exception("page cache invalidation failed for %s", names)


class _Invalidation:
    """The versions one transaction renews, sent together when it commits."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.schedule = False

    def __call__(self) -> None:
        if self.schedule:
            remember_next_publication()
        if self.names:
            _renew(*self.names)


_batch = threading.local()


def invalidate(*names: str, schedule: bool = False) -> None:
    """Renew these versions once the current transaction commits (at once outside one).

    `schedule`: an article was written, so the next scheduled publication may have changed.
    """
    batch = getattr(_batch, "current", None)
    waiting = batch or _Invalidation()
    waiting.names.update(names)
    waiting.schedule |= schedule
    if batch is None:
        transaction.on_commit(waiting)


@contextlib.contextmanager
def deferred_invalidation() -> Iterator[None]:
    """Collect the invalidations of many writes (a bulk import) and renew each version once.

    Use inside the transaction that makes the writes.
    """
    batch = _batch.current = _Invalidation()
    try:
        yield
    finally:
        _batch.current = None
    transaction.on_commit(batch)


def remember_next_publication() -> None:
    """Note when the next scheduled article goes live, or the next story's comments close at
    their set time: pages kept before then change at that moment (no cron job needed)."""
    from articles.models import Article

    now = timezone.now()
    scheduled = Article.objects.filter(status=Article.Status.PUBLISHED)
    moments = [
        scheduled.filter(published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first(),
        scheduled.filter(comments_close_at__gt=now)
        .order_by("comments_close_at")
        .values_list("comments_close_at", flat=True)
        .first(),
    ]
    upcoming = min(filter(None, moments), default=None)
    if upcoming is None:
        cache.delete(NEXT_PUBLICATION)
    else:
        cache.set(NEXT_PUBLICATION, upcoming.timestamp(), None)


# --- reading versions -----------------------------------------------------------------------


def current_versions(names: Iterable[str]) -> dict[str, str]:
    """The current value of each version, in one round trip unless one must be created.

    A scheduled article that went live since renews SITE first. A version missing from the
    cache (never set, evicted, flushed) gets a new value. When the cache answers nothing, each
    version is a new random value: nothing kept is then reused, and the page is rendered afresh.
    """
    names = list(names)
    found = cache.get_many([NEXT_PUBLICATION, *names])
    due = found.pop(NEXT_PUBLICATION, None)
    if due is not None and time.time() >= due:
        _renew(SITE)
        remember_next_publication()
        found = cache.get_many(names)
    missing = [name for name in names if name not in found]
    if missing:
        for name in missing:
            cache.add(name, uuid.uuid4().hex, None)
        found.update(cache.get_many(missing))
    return {name: found.get(name) or uuid.uuid4().hex for name in names}


def versions(request: HttpRequest, **names: str) -> dict[str, str]:
    """The versions a view's `{% cache %}` fragments are keyed by, under the labels given:
    `versions(request, site=SITE)` is `{"site": "<its current value>"}`. The page cache has
    usually read them already for this request; else they are read in one round trip."""
    known = getattr(request, "content_versions", {})
    wanted = [name for name in names.values() if name not in known]
    if wanted:
        known = request.content_versions = {**known, **current_versions(wanted)}
    return {label: known[name] for label, name in names.items()}


# --- the anonymous page cache ---------------------------------------------------------------


def has_session(request: HttpRequest) -> bool:
    """A session or pending messages: the page may hold something of this reader's."""
    return any(name in request.COOKIES for name in (settings.SESSION_COOKIE_NAME, "messages"))


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
    clock: Callable[[], str] | None = None,
) -> Callable:
    """Let PageCacheMiddleware keep this view's pages for readers without a session.

    `depends_on(**url_kwargs)` names the versions the page shows besides SITE.
    `variant(request)` is what of the query string the page shows, normalised: a page is kept
    once per variant, so other parameters (the utm_ and fbclid tags that shared links gather)
    neither miss the cache nor fill it.
    `clock()`, for a page that says how long ago things happened ("2 h ago"), names the
    current stretch of time: the kept page is rendered again when it changes, so readers
    without JavaScript never see "5 min ago" on a day-old comment.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if not has_session(request):
                response.shared_cacheable = True
            return response

        wrapped.page_cache_depends_on = depends_on
        wrapped.page_cache_variant = variant
        wrapped.page_cache_clock = clock
        return wrapped

    return decorator


def is_shareable(response: HttpResponse) -> bool:
    """A page of a cacheable view, for a reader without a session, that sets no cookie on the
    way out (a CSRF token, a message, a new session would make it one reader's page)."""
    return (
        getattr(response, "shared_cacheable", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
    )


@functools.lru_cache(maxsize=4096)
def _cacheable_page(path: str) -> tuple[tuple[str, ...], Callable, Callable | None] | None:
    """The versions a cacheable page at `path` depends on, its variant and its clock; None for
    any other path. Remembered per path: resolving the URL cost a fifth of a hit's time."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    depends_on = getattr(match.func, "page_cache_depends_on", None)
    if depends_on is None:
        return None
    return (
        (SITE, *depends_on(**match.kwargs)),
        match.func.page_cache_variant,
        match.func.page_cache_clock,
    )


class PageCacheMiddleware:
    """Serve kept pages to readers without a session before sessions, authentication and
    templates are touched. A broken cache never breaks the site: the page is rendered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        page = None
        if settings.PAGE_CACHE and request.method in {"GET", "HEAD"} and not has_session(request):
            page = _cacheable_page(request.path_info)
        if page is None:
            return self.get_response(request)
        names, variant, clock = page

        digest = hashlib.sha256(f"{request.path}?{variant(request)}".encode()).hexdigest()
        key = f"page:{digest}"
        try:
            request.content_versions = current_versions(names)
            current = [request.content_versions[name] for name in names]
            if clock:
                current.append(clock())
            # This process's copy, named by the versions it shows, saves fetching and decoding
            # the page from the shared cache (a base64 pickle on the database cache); the shared
            # copy serves the other processes.
            local_key = ":".join([key, *current])
            kept = caches["pages"].get(local_key)
            if kept is None:
                kept = cache.get(key)
                if kept and kept["versions"] == current:
                    caches["pages"].set(local_key, kept, PAGE_TIMEOUT)
        except Exception:
            logger.warning("page cache unavailable; rendering %s", request.path, exc_info=True)
            return self.get_response(request)
        if kept and kept["versions"] == current:
            response = HttpResponse(kept["content"], headers=kept["headers"])
            response["X-Page-Cache"] = "hit"
            return response

        response = self.get_response(request)
        if is_shareable(response):
            set_response_etag(response)  # kept with the page: a hit need not hash it again
            response["X-Page-Cache"] = "miss"
            entry = {
                "versions": current,
                "headers": dict(response.headers.items()),
                "content": response.content,
            }
            try:
                cache.set(key, entry, PAGE_TIMEOUT)
                caches["pages"].set(local_key, entry, PAGE_TIMEOUT)
            except Exception:
                logger.warning("page cache unavailable; %s not kept", request.path, exc_info=True)
        return response


class CacheHeadersMiddleware:
    """Who may keep each response, in HTTP's own terms (see the module docstring).

    It sits just below the page cache, which keeps pages with the headers it gives them, and
    above sessions and authentication. The ETag is added above both (ConditionalGetMiddleware).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if has_session(request) or settings.SESSION_COOKIE_NAME in response.cookies:
            patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
        elif is_shareable(response):
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=SHARED_MAX_AGE, must_revalidate=True
            )
            patch_vary_headers(response, ["Cookie"])
        return response
