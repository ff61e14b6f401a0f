"""The public moderation record: each discussion's figures, the wait a held reader is told,
and /moderation/ by month, with no personal data."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from comments import record, services
from comments.models import Comment, ModerationAction
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


def held_then_decided(article, moderator, *, wait: timedelta, status=Status.PUBLISHED, at=None):
    """A first comment held automatically, then decided on by `moderator` after `wait` (its
    history moved back in time to start at `at`)."""
    start = at or timezone.now() - wait
    comment = services.comment_create(article=article, author=UserFactory(), body=f"Held {wait}")
    assert comment.status == Status.PENDING
    services.comment_set_status(comment=comment, status=status, moderator=moderator)
    Comment.objects.filter(pk=comment.pk).update(created_at=start)
    actions = ModerationAction.objects.filter(comment=comment)
    actions.filter(action=ModerationAction.Action.AUTO_HELD).update(created_at=start)
    actions.filter(moderator=moderator).update(created_at=start + wait)
    cache.clear()  # the figures kept by earlier calls
    return comment


@pytest.mark.parametrize(
    ("wait", "text"),
    [
        (None, "no reviews yet"),
        (timedelta(seconds=20), "under a minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=40), "40 minutes"),
        (timedelta(minutes=150), "2 hours"),
        (timedelta(hours=47), "2 days"),
    ],
)
def test_describe_wait(wait, text):
    assert record.describe_wait(wait) == text


def test_a_wait_runs_from_the_automatic_hold_to_the_moderator_s_verdict(article, moderator):
    held_then_decided(article, moderator, wait=timedelta(minutes=30))
    held_then_decided(article, moderator, wait=timedelta(minutes=90), status=Status.REMOVED)
    held_then_decided(article, moderator, wait=timedelta(hours=5), status=Status.SPAM)

    waits = [wait for _, wait in record.review_waits(since=timezone.now() - timedelta(days=1))]

    assert sorted(waits) == [timedelta(minutes=30), timedelta(minutes=90), timedelta(hours=5)]
    assert record.median_review_wait() == timedelta(minutes=90)


def test_a_review_before_the_window_and_a_verdict_without_a_hold_are_not_waits(article, moderator):
    held_then_decided(
        article, moderator, wait=timedelta(hours=1), at=timezone.now() - timedelta(days=9)
    )
    staff = UserFactory(is_staff=True)  # not held: nothing to wait for
    published = services.comment_create(article=article, author=staff, body="Straight through")
    services.comment_set_status(comment=published, status=Status.REMOVED, moderator=moderator)

    assert record.review_waits(since=timezone.now() - record.REVIEW_WINDOW) == []
    assert record.median_wait_text() == "no reviews yet"


def test_a_discussion_s_record_counts_its_own_comments_by_outcome(article, moderator):
    other_article = ArticleFactory()
    held_then_decided(article, moderator, wait=timedelta(minutes=10))
    held_then_decided(article, moderator, wait=timedelta(minutes=20), status=Status.REMOVED)
    held_then_decided(article, moderator, wait=timedelta(minutes=30), status=Status.SPAM)
    services.comment_create(article=article, author=UserFactory(), body="Still waiting")
    held_then_decided(other_article, moderator, wait=timedelta(days=2))

    figures = record.discussion_record(article)

    assert figures.published == 1
    assert figures.held == 1
    assert figures.taken_down == {"Removed": 1, "Spam": 1, "Hidden": 0}
    assert figures.median_wait == timedelta(minutes=20)
    assert figures.median_wait_text == "20 minutes"


def test_the_figures_are_kept_for_a_few_minutes(article, moderator, page_queries):
    held_then_decided(article, moderator, wait=timedelta(minutes=10))
    first = record.discussion_record(article)
    with page_queries() as sql:
        assert record.discussion_record(article) == first
    assert sql == []
    cache.clear()
    held_then_decided(article, moderator, wait=timedelta(minutes=30))
    assert record.discussion_record(article).published == 2


def test_the_monthly_record_puts_each_figure_in_its_month(article, moderator):
    now = timezone.localtime()
    last_month = (now.replace(day=1) - timedelta(days=1)).replace(day=10, hour=12)
    held_then_decided(article, moderator, wait=timedelta(hours=2), at=last_month)
    held_then_decided(
        article, moderator, wait=timedelta(hours=4), status=Status.REMOVED, at=last_month
    )
    this_month = now.replace(day=1, hour=0, minute=0) + timedelta(hours=1)
    held_then_decided(
        article, moderator, wait=timedelta(minutes=5), status=Status.SPAM, at=this_month
    )

    months = record.monthly_record(months=3)

    assert [m.month.month for m in months][:2] == [now.month, last_month.month]
    assert len(months) == 3
    current, previous, oldest = months
    assert (current.published, current.held, current.taken_down["Spam"]) == (0, 1, 1)
    assert current.median_wait_text == "5 minutes"
    assert (previous.published, previous.held, previous.taken_down["Removed"]) == (1, 2, 1)
    assert previous.median_wait_text == "3 hours"
    assert (oldest.published, oldest.held, oldest.median_wait_text) == (0, 0, "no reviews yet")


def test_the_record_page_is_public_cached_and_names_no_one(client, article, moderator):
    author = UserFactory(display_name="Secret Sam", email="sam@example.com")
    comment = services.comment_create(article=article, author=author, body="Held text")
    services.comment_set_status(
        comment=comment, status=Status.REMOVED, moderator=moderator, note="Abuse"
    )

    response = client.get(reverse("moderation-record"))

    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    body = response.content.decode()
    for personal in ("Secret Sam", "sam@example.com", "Held text", "Abuse", moderator.public_name):
        assert personal not in body
    row = f'data-month="{timezone.localtime():%Y-%m}"'
    assert row in body
    assert client.get(reverse("moderation-record"))["X-Page-Cache"] == "hit"


def test_a_moderation_decision_renews_the_record_page(
    client, article, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(article=article, author=UserFactory(), body="Wait")
    client.get(reverse("moderation-record"))
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_set_status(comment=comment, status=Status.REMOVED, moderator=moderator)
    response = client.get(reverse("moderation-record"))
    assert response["X-Page-Cache"] == "miss"
    assert ModerationAction.objects.filter(action="removed").count() == 1


def test_a_held_reader_is_told_the_median_wait(client, article, reader, moderator):
    held_then_decided(article, moderator, wait=timedelta(hours=3))
    client.force_login(reader)

    response = client.post(
        reverse("comments:create", args=[article.pk]),
        {"body": "My first comment", "client_token": "t" * 32},
        follow=True,
    )

    assert Comment.objects.get(body="My first comment").status == Status.PENDING
    assert "Reviews currently take 3 hours" in response.content.decode()


def test_the_article_page_shows_its_discussion_s_record(client, article, moderator):
    held_then_decided(article, moderator, wait=timedelta(minutes=45))
    response = client.get(article.get_absolute_url())
    assert '<dd data-record="published">1</dd>' in response.content.decode()
    assert '<dd data-record="median-wait">45 minutes</dd>' in response.content.decode()
