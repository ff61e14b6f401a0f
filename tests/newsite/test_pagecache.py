import datetime as dt
import time
import types
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from articles.models import Article
from newsite import pagecache
from tests.factories import ArticleFactory, UserFactory, relaxed_moderation

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return ArticleFactory(title="Cached story")


def cache_control(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize("path", ["/", "article"])
def test_anonymous_pages_may_be_shared_and_are_revalidated(client, article, path):
    """Shared caches may keep them a minute; browsers ask again on every view, so a reader who
    logs in never gets their logged-out copy back (issue 14, journey 1)."""
    path = article.get_absolute_url() if path == "article" else path
    first = client.get(path)
    second = client.get(path)
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    for response in (first, second):
        assert not response.cookies
        assert cache_control(response) == {
            "public",
            "max-age=0",
            f"s-maxage={pagecache.SHARED_MAX_AGE}",
            "must-revalidate",
        }
        assert "Cookie" in response["Vary"]
        assert response.has_header("ETag")
        assert b"csrfmiddlewaretoken" not in response.content


def test_a_cache_hit_reads_the_shared_cache_only(client, article, page_queries):
    client.get("/")
    with page_queries() as sql:
        assert client.get("/")["X-Page-Cache"] == "hit"
    assert sql == []


def test_a_flushed_shared_cache_never_brings_back_an_old_fragment(client, article):
    """Versions lost from the shared cache get new values, so fragments kept in a process's
    memory under the old ones can no longer be found, even for a write whose invalidation was
    lost."""
    client.get(article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(title="Changed while the cache was away")
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"
    cache.clear()  # Redis restarted or flushed
    response = client.get(article.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert b"Changed while the cache was away" in response.content


def test_an_edit_invalidates_on_commit(client, article, django_capture_on_commit_callbacks):
    client.get(article.get_absolute_url())
    client.get("/")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Corrected headline"
        article.save()
    for path in (article.get_absolute_url(), "/"):
        response = client.get(path)
        assert response["X-Page-Cache"] == "miss"
        assert b"Corrected headline" in response.content


def test_a_discussion_version_leaves_other_articles_cached(
    client, article, django_capture_on_commit_callbacks
):
    other = ArticleFactory(title="Other story")
    client.get(article.get_absolute_url())
    client.get(other.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.invalidate(pagecache.discussion(article.slug), pagecache.LISTS)
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(other.get_absolute_url())["X-Page-Cache"] == "hit"


def test_signed_in_readers_get_private_fresh_pages(article):
    user = UserFactory()
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(user)
    anonymous.get(article.get_absolute_url())  # warm the anonymous cache
    response = signed_in.get(article.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert cache_control(response) == {"private", "no-cache"}
    assert user.public_name.encode() in response.content
    # The anonymous reader never sees the signed-in reader's page or name.
    again = anonymous.get(article.get_absolute_url())
    assert again["X-Page-Cache"] == "hit"
    assert user.public_name.encode() not in again.content


def test_scheduled_article_appears_when_due_without_a_write(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = ArticleFactory(
            title="Scheduled story", published_at=timezone.now() + dt.timedelta(hours=1)
        )
    assert scheduled.get_absolute_url().encode() not in client.get("/").content
    assert client.get("/")["X-Page-Cache"] == "hit"
    # An hour passes: the article is due, though nothing was written since.
    Article.objects.filter(pk=scheduled.pk).update(
        published_at=timezone.now() - dt.timedelta(seconds=1)
    )
    later = scheduled.published_at.timestamp() + 1
    monkeypatch.setattr(pagecache, "time", types.SimpleNamespace(time=lambda: later))
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert scheduled.get_absolute_url().encode() in response.content


def test_repeat_view_is_a_304_from_the_page_cache(client, article, page_queries):
    first = client.get(article.get_absolute_url())
    etag = first["ETag"]
    with page_queries() as sql:
        repeat = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert sql == []
    assert repeat.status_code == 304
    assert repeat.content == b""


def test_after_login_the_anonymous_etag_no_longer_matches(client, article):
    """A browser revalidating its logged-out copy after logging in gets the new page."""
    etag = client.get(article.get_absolute_url())["ETag"]
    client.force_login(UserFactory(display_name="Ada"))
    response = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert b"Ada" in response.content


def test_a_page_that_sets_a_cookie_is_neither_kept_nor_shared(client, article, monkeypatch):
    """Were a page for a reader without a session ever to set a cookie on the way out (here a
    CSRF token, which the middleware below the view adds), it would be that reader's page."""
    from django.middleware.csrf import get_token

    from articles.views import ArticleDetailView

    render = ArticleDetailView.render_to_response

    def render_with_a_token(self, context, **kwargs):
        get_token(self.request)
        return render(self, context, **kwargs)

    monkeypatch.setattr(ArticleDetailView, "render_to_response", render_with_a_token)
    for _ in range(2):
        response = client.get(article.get_absolute_url())
        assert "csrftoken" in response.cookies
        assert not response.has_header("X-Page-Cache")
        assert "public" not in response.get("Cache-Control", "")


def test_a_kept_article_page_follows_the_cards_clock(client, article):
    """Its comments say how long ago they were posted: once the cards' time bucket has passed,
    the page is rendered again, so a reader without JavaScript never sees a stale "just now"."""
    from comments import services
    from comments.templatetags.comment_cards import CARD_TIME_BUCKET_SECONDS

    relaxed_moderation()  # published at once
    services.comment_create(article=article, author=UserFactory(), body="First!")
    url = article.get_absolute_url()
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    assert b">just now</time>" in first.content
    assert client.get(url)["X-Page-Cache"] == "hit"
    later = time.time() + CARD_TIME_BUCKET_SECONDS
    with (
        mock.patch("time.time", return_value=later),
        mock.patch(
            "django.utils.timezone.now",
            return_value=timezone.now() + dt.timedelta(seconds=CARD_TIME_BUCKET_SECONDS),
        ),
    ):
        again = client.get(url)
    assert again["X-Page-Cache"] == "miss"
    assert b">10 min ago</time>" in again.content
    assert b">just now</time>" not in again.content
