"""The events, driven by the real services (comments, notices, publishing) and the task
worker, received by the local receiver that verifies every signature."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.core import serializers
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from articles.services import article_publish, article_unpublish
from comments.models import Comment, WatchedWord
from comments.services import comment_create, comment_edit, comment_set_status
from notices.services import notice_create
from tests.factories import ArticleFactory, UserFactory, relaxed_moderation
from webhooks.models import Delivery

from .conftest import point_at

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"


@pytest.fixture
def article(db):
    relaxed_moderation()
    return ArticleFactory(title="Ports reopen after the storm", slug="ports-reopen")


@pytest.fixture
def reader(db):
    return UserFactory(display_name="Ada", email="ada@example.com")


@pytest.fixture
def moderator(db):
    return UserFactory(is_staff=True, is_superuser=True, email="mo@example.com")


@pytest.fixture
def hooked(endpoint, receiver, run_tasks, article, reader, moderator):
    """The endpoint listens; what the fixtures themselves caused is delivered and forgotten."""
    run_tasks()
    receiver.requests.clear()
    return receiver


def sent(receiver, event: str) -> list[dict]:
    assert all(request.verified for request in receiver.requests)
    return [payload["data"] for payload in receiver.payloads(event)]


def assert_private_data_absent(receiver) -> None:
    for request in receiver.requests:
        for secret in ("@example.com", IP, "Sam Sender", "without any evidence"):
            assert secret not in request.body.decode(), (secret, request.body)


def test_a_published_comment_sends_comment_created_with_its_text(
    hooked, article, reader, run_tasks
):
    comment = comment_create(article=article, author=reader, body="Good *news*.", ip_address=IP)
    run_tasks()
    assert hooked.events == ["comment.created"]
    (data,) = sent(hooked, "comment.created")
    assert data == {
        "id": comment.pk,
        "url": f"{settings.SITE_URL}{comment.get_absolute_url()}",
        "status": "published",
        "parent_id": None,
        "created_at": data["created_at"],
        "body": "Good *news*.",
        "body_html": comment.body_html,
        "article": {
            "id": article.pk,
            "slug": "ports-reopen",
            "url": f"{settings.SITE_URL}/{article.get_absolute_url().lstrip('/')}",
        },
    }
    assert "<em>news</em>" in data["body_html"]
    assert_private_data_absent(hooked)


def test_a_held_comment_sends_created_and_held_once_without_its_text(
    hooked, article, reader, run_tasks
):
    relaxed_moderation(first_comment_held=True)
    comment = comment_create(article=article, author=reader, body="Hold me.", ip_address=IP)
    assert comment.status == Comment.Status.PENDING
    run_tasks()
    assert sorted(hooked.events) == ["comment.created", "comment.held"]
    for data in (*sent(hooked, "comment.created"), *sent(hooked, "comment.held")):
        assert data["status"] == "pending"
        assert "body" not in data
        assert "body_html" not in data
    assert "Hold me" not in "".join(r.body.decode() for r in hooked.requests)
    assert_private_data_absent(hooked)


def test_moderation_sends_published_held_and_removed(hooked, article, reader, moderator, run_tasks):
    relaxed_moderation(first_comment_held=True)
    comment = comment_create(article=article, author=reader, body="Wait for it.")
    run_tasks()
    hooked.requests.clear()

    comment_set_status(comment=comment, status="published", moderator=moderator)
    run_tasks()
    (published,) = sent(hooked, "comment.published")
    assert published["status"] == "published"
    assert published["body"] == "Wait for it."

    comment_set_status(comment=comment, status="pending", moderator=moderator)
    for status in ("hidden", "spam", "removed"):
        comment_set_status(comment=comment, status=status, moderator=moderator)
    run_tasks()
    assert [data["status"] for data in sent(hooked, "comment.held")] == ["pending"]
    removed = sent(hooked, "comment.removed")
    assert [data["status"] for data in removed] == ["hidden", "spam", "removed"]
    assert all("body" not in data for data in removed)
    assert hooked.events == [
        "comment.published",
        "comment.held",
        "comment.removed",
        "comment.removed",
        "comment.removed",
    ]


def test_an_edit_that_screening_holds_sends_comment_held(hooked, article, reader, run_tasks):
    WatchedWord.objects.create(pattern="casino", action=WatchedWord.Action.HOLD, reason="Ads")
    comment = comment_create(article=article, author=reader, body="Nice harbour.")
    run_tasks()
    hooked.requests.clear()
    comment_edit(comment=comment, editor=reader, body="Nice harbour. Visit my casino.")
    run_tasks()
    assert hooked.events == ["comment.held"]
    (data,) = sent(hooked, "comment.held")
    assert data["status"] == "pending"
    assert "casino" not in hooked.requests[0].body.decode()


def test_a_notice_sends_notice_received_without_the_sender(hooked, article, reader, run_tasks):
    comment = comment_create(article=article, author=reader, body="The mayor is a crook.")
    run_tasks()
    hooked.requests.clear()
    notice = notice_create(
        ground="defamation",
        explanation="It accuses a named official of a crime without any evidence.",
        location_url=f"https://news.example.com/comments/{comment.pk}/",
        sender_name="Sam Sender",
        sender_email="sam@example.com",
        is_good_faith=True,
        comment=comment,
        ip_address=IP,
    )
    run_tasks()
    assert hooked.events == ["notice.received"]
    (data,) = sent(hooked, "notice.received")
    assert data["id"] == notice.pk
    assert data["state"] == "received"
    assert data["ground"] == "defamation"
    assert data["comment_id"] == comment.pk
    assert data["comment_url"].endswith(comment.get_absolute_url())
    assert data["admin_url"].endswith(f"/admin/notices/notice/{notice.pk}/change/")
    assert notice.reference not in json.dumps(data)  # the receipt's key stays with the sender
    assert_private_data_absent(hooked)


def test_publishing_an_article_sends_article_published_once(hooked, run_tasks):
    draft = ArticleFactory(status=Article.Status.DRAFT, slug="draft-story", title="Draft story")
    run_tasks()
    assert hooked.events == []
    article_publish(article=draft)
    run_tasks()
    (data,) = sent(hooked, "article.published")
    assert data["id"] == draft.pk
    assert data["slug"] == "draft-story"
    assert data["title"] == "Draft story"
    assert data["url"] == settings.SITE_URL + draft.get_absolute_url()
    # Edits and publishing again do not send it again; unpublishing and publishing does.
    draft.title = "Draft story, updated"
    draft.save()
    article_publish(article=draft)
    run_tasks()
    assert hooked.events == ["article.published"]
    article_unpublish(article=draft)
    article_publish(article=draft)
    run_tasks()
    assert hooked.events == ["article.published", "article.published"]


def test_a_scheduled_article_is_announced_when_it_goes_live(hooked, run_tasks):
    draft = ArticleFactory(status=Article.Status.DRAFT, slug="embargoed")
    first = timezone.now() + dt.timedelta(hours=2)
    article_publish(article=draft, at=first)
    run_tasks()
    assert hooked.events == []
    # Moved to later: nothing at the first time, one event at the second.
    article_publish(article=draft, at=first + dt.timedelta(hours=1))
    run_tasks(later=dt.timedelta(hours=2, minutes=30))
    assert hooked.events == []
    run_tasks(later=dt.timedelta(hours=3, minutes=30))
    assert hooked.events == ["article.published"]
    assert sent(hooked, "article.published")[0]["slug"] == "embargoed"


def test_a_withdrawn_schedule_sends_nothing(hooked, run_tasks):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    article_publish(article=draft, at=timezone.now() + dt.timedelta(hours=1))
    article_unpublish(article=draft)
    run_tasks(later=dt.timedelta(hours=2))
    assert hooked.events == []


def test_a_rolled_back_write_sends_nothing(hooked, article, reader, run_tasks):
    def post_then_fail() -> None:
        with transaction.atomic():
            comment_create(article=article, author=reader, body="Never happened.")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        post_then_fail()
    run_tasks()
    assert hooked.requests == []
    assert not Delivery.objects.filter(event="comment.created").exists()


def test_the_request_makes_no_webhook_query_before_its_commit(hooked, article, reader, run_tasks):
    with CaptureQueriesContext(connection) as queries:
        comment_create(article=article, author=reader, body="Cheap to post.")
    assert not [q["sql"] for q in queries.captured_queries if "webhooks_" in q["sql"]]
    run_tasks()
    assert hooked.events == ["comment.created"]


def test_raw_saves_and_bulk_creates_send_nothing(hooked, article, reader, run_tasks):
    """Fixtures (raw saves) and imports (bulk_create) are not events."""
    Comment.objects.bulk_create(
        [Comment(article=article, author=reader, body=f"Imported {n}") for n in range(3)]
    )
    comment = Comment.objects.create(article=article, author=reader, body="To reload")
    run_tasks()
    hooked.requests.clear()
    dumped = serializers.serialize("json", [comment])
    Comment.objects.filter(pk=comment.pk).delete()
    for obj in serializers.deserialize("json", dumped):
        obj.save()
    assert Comment.objects.filter(pk=comment.pk).exists()
    run_tasks()
    assert hooked.requests == []


def test_no_endpoint_no_delivery(article, reader, run_tasks):
    comment_create(article=article, author=reader, body="Nobody listens.")
    run_tasks()
    assert not Delivery.objects.exists()


def test_each_endpoint_gets_its_own_signed_copy(
    receiver, second_receiver, article, reader, run_tasks
):
    point_at(receiver)
    point_at(second_receiver, events=["comment.created"])
    run_tasks()
    receiver.requests.clear()
    comment_create(article=article, author=reader, body="Twice told.")
    run_tasks()
    assert receiver.events == second_receiver.events == ["comment.created"]
    assert receiver.requests[0].verified
    assert second_receiver.requests[0].verified
    ids = {receiver.payloads()[0]["id"], second_receiver.payloads()[0]["id"]}
    assert len(ids) == 2  # one delivery each
