"""Comment writes make the anonymous readers' cached article page (and listings) stale."""

import pytest
from django.test import Client

from accounts.services import user_update_profile
from comments import services

pytestmark = pytest.mark.django_db


def anonymous_page(url: str) -> str:
    return Client().get(url).content.decode()  # a fresh client: no cookies, cacheable


def test_new_edited_and_deleted_comments_reach_cached_pages(
    rules, article, reader, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    # The front page prints no count for a story without comments.
    assert "story-meta__comments" not in anonymous_page("/")
    assert "Fresh words" not in anonymous_page(url)
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(article=article, author=reader, body="Fresh words")
    assert "Fresh words" in anonymous_page(url)
    assert "1 comment<" in anonymous_page("/")
    assert '<span class="comments__count">1</span>' in anonymous_page(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_edit(comment=comment, editor=reader, body="Better words")
    assert "Better words" in anonymous_page(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_delete(comment=comment, user=reader)
    page = anonymous_page(url)
    # Without replies, a deleted comment leaves no stub.
    assert "Better words" not in page
    assert "Comment deleted" not in page
    assert f'id="{comment.anchor}"' not in page
    assert "story-meta__comments" not in anonymous_page("/")


def test_moderation_reaches_cached_pages(
    rules, article, reader, moderator, django_capture_on_commit_callbacks
):
    comment = services.comment_create(article=article, author=reader, body="Borderline")
    url = article.get_absolute_url()
    assert "Borderline" in anonymous_page(url)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_set_status(comment=comment, status="hidden", moderator=moderator)
    assert "Borderline" not in anonymous_page(url)


def test_article_page_with_comment_form_is_cacheable_for_anonymous_readers(rules, article, reader):
    """The anonymous draft form carries no CSRF token and reading needs no session."""
    services.comment_create(article=article, author=reader, body="Cached words")
    first = Client().get(article.get_absolute_url())
    second = Client().get(article.get_absolute_url())
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert "Cached words" in second.content.decode()
    assert "csrfmiddlewaretoken" not in second.content.decode()
    assert not second.cookies


def test_a_renamed_author_is_renamed_on_cached_pages(
    rules, article, reader, django_capture_on_commit_callbacks
):
    services.comment_create(article=article, author=reader, body="Signed")
    url = article.get_absolute_url()
    assert "Ada" in anonymous_page(url)
    with django_capture_on_commit_callbacks(execute=True):
        user_update_profile(user=reader, display_name="Ada L.")
    assert "Ada L." in anonymous_page(url)


def test_every_anonymous_render_is_the_same_page(rules, article, reader, settings):
    """No per-render token in a page for readers who are not signed in: whichever process
    renders it, the bytes and so the ETag agree, and repeat views keep getting 304s."""
    settings.PAGE_CACHE = False
    services.comment_create(article=article, author=reader, body="Same for all")
    url = article.get_absolute_url()
    assert anonymous_page(url) == anonymous_page(url)


def page_cache_state(url: str) -> str:
    return Client().get(url)["X-Page-Cache"]


def test_tracking_parameters_share_the_cached_page(rules, article, reader):
    """Shared links come back with utm_ and fbclid tags, different on every click."""
    services.comment_create(article=article, author=reader, body="Shared widely")
    url = article.get_absolute_url()
    assert page_cache_state(url) == "miss"
    assert page_cache_state(f"{url}?utm_source=mastodon&fbclid=IwAR1") == "hit"
    assert page_cache_state(f"{url}?fbclid=IwAR2&sort=best&page=01") == "hit"  # the same page
    assert page_cache_state(f"{url}?sort=newest") == "miss"  # another page
    assert page_cache_state(f"{url}?sort=newest&utm_medium=social") == "hit"
    assert page_cache_state("/") == "miss"
    assert page_cache_state("/?page=1&utm_campaign=launch") == "hit"


def test_a_page_of_threads_past_the_last_sends_the_reader_to_the_last(rules, article, reader):
    services.comment_create(article=article, author=reader, body="The only one")
    url = article.get_absolute_url()
    response = Client().get(f"{url}?page=7")
    assert response.status_code == 302
    assert response["Location"] == f"{url}#comments"
    response = Client().get(f"{url}?page=99999999999999999999&sort=newest")
    assert response["Location"] == f"{url}?sort=newest#comments"
    assert "X-Page-Cache" not in response  # redirects are not kept
