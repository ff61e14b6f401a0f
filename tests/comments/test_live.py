"""The live new-comment check (comments.views.comments_since): a tiny JSON count of comments
published after the newest one the page knew, answered 304 while the discussion is unchanged."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments import services
from comments.models import Comment
from comments.mutes import mute_create
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def live_attributes(html: str) -> dict[str, str]:
    tag = re.search(r"<div class=\"discussion\" data-discussion[^>]*>", html).group(0)
    return dict(re.findall(r'data-live-(\w+)="([^"]*)"', tag))


def check(client, article, after, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(reverse("comments:since", args=[article.pk]), {"after": after}, **headers)


def test_the_page_says_where_to_ask_and_from_which_comment(rules, article, reader):
    first = services.comment_create(article=article, author=reader, body="First")
    newest = services.comment_create(article=article, author=reader, body="Second")
    html = Client().get(article.get_absolute_url()).content.decode()
    live = live_attributes(html)
    assert live == {
        "url": reverse("comments:since", args=[article.pk]),
        "since": str(newest.pk),
        "interval": "15",
    }
    assert first.pk < newest.pk
    # The notice's live region is there (empty) for screen readers to watch.
    assert (
        '<div class="live-notice" data-live-notice role="status" aria-live="polite"></div>' in html
    )


def test_nothing_new_is_a_304_and_something_new_a_count(
    rules, article, reader, other_reader, django_capture_on_commit_callbacks
):
    services.comment_create(article=article, author=reader, body="Known")
    since = live_attributes(Client().get(article.get_absolute_url()).content.decode())["since"]
    client = Client()
    first = check(client, article, since)
    assert first.status_code == 200
    assert first.json()["count"] == 0
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    assert "private" in first["Cache-Control"]
    # Asked again with the ETag: nothing changed, 304, and no comment is counted.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        again = check(client, article, since, etag)
    assert again.status_code == 304
    assert again.content == b""
    assert not any("comments_comment" in q["sql"] for q in queries.captured_queries)

    with django_capture_on_commit_callbacks(execute=True):  # renews the discussion version
        services.comment_create(article=article, author=other_reader, body="New one")
        services.comment_create(article=article, author=other_reader, body="And another")
    news = check(client, article, since, etag)
    assert news.status_code == 200
    assert news["ETag"] != etag
    assert news.json() == {
        "count": 2,
        "url": article.get_absolute_url() + "?sort=newest#comments",
    }
    assert check(client, article, since, news["ETag"]).status_code == 304


def test_held_deleted_and_own_comments_are_not_news(
    client, rules, article, reader, other_reader, moderator
):
    services.comment_create(article=article, author=reader, body="Known")
    since = live_attributes(Client().get(article.get_absolute_url()).content.decode())["since"]
    client.force_login(reader)
    services.comment_create(article=article, author=reader, body="My own")
    removed = services.comment_create(article=article, author=other_reader, body="Removed")
    services.comment_set_status(comment=removed, status="removed", moderator=moderator)
    deleted = services.comment_create(article=article, author=other_reader, body="Deleted")
    services.comment_delete(comment=deleted, user=other_reader)
    assert check(client, article, since).json()["count"] == 0
    assert check(Client(), article, since).json()["count"] == 1  # my own is news to others


def test_muted_commenters_are_not_news(client, rules, article, reader, other_reader):
    services.comment_create(article=article, author=reader, body="Known")
    since = live_attributes(Client().get(article.get_absolute_url()).content.decode())["since"]
    client.force_login(reader)
    services.comment_create(article=article, author=other_reader, body="Noise")
    first = check(client, article, since)
    assert first.json()["count"] == 1
    mute_create(user=reader, muted=other_reader)
    # A mute changes the answer (and so its ETag) though the discussion did not change.
    after_mute = check(client, article, since, first["ETag"])
    assert after_mute.status_code == 200
    assert after_mute.json()["count"] == 0


def test_an_empty_discussion_counts_from_nothing(rules, article, reader):
    since = live_attributes(Client().get(article.get_absolute_url()).content.decode())["since"]
    assert since == "0"
    services.comment_create(article=article, author=reader, body="First ever")
    assert check(Client(), article, since).json()["count"] == 1


def test_another_view_counts_from_the_articles_newest_comment(rules, article, reader):
    """The staff view lists nothing here, yet the reader's page is up to date."""
    newest = services.comment_create(article=article, author=reader, body="Reader talk")
    html = Client().get(article.get_absolute_url() + "?view=staff").content.decode()
    assert live_attributes(html)["since"] == str(newest.pk)


def test_bad_input_and_unpublished_articles(rules, article):
    assert check(Client(), article, "yesterday").status_code == 400
    assert check(Client(), article, "9" * 40).status_code == 400
    assert check(Client(), article, "\u00b2").status_code == 400  # a digit to isdigit()
    draft = ArticleFactory(status="draft")
    assert check(Client(), draft, 0).status_code == 404


def test_qa_mode_counts_only_what_everyone_may_see(rules, article, reader):
    article.is_qa = True
    article.save()
    desk = UserFactory(is_staff=True)
    question = services.comment_create(article=article, author=reader, body="A question?")
    assert check(Client(), article, 0).json()["count"] == 0  # unanswered: not shown yet
    services.comment_create(
        article=article, author=desk, body="An answer.", parent=Comment.objects.get(pk=question.pk)
    )
    assert check(Client(), article, 0).json()["count"] == 2


def test_the_interval_is_a_setting(client, rules, article, settings):
    settings.COMMENTS_LIVE_INTERVAL_SECONDS = 1
    html = client.get(article.get_absolute_url()).content.decode()
    assert live_attributes(html)["interval"] == "1"
