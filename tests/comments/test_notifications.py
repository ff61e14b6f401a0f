"""Reply and follow e-mails: queued after commit, sent by the worker, only for published
comments, never failing or slowing a post."""

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts.models import User
from comments import services
from comments.models import Comment, ThreadSubscription
from comments.notifications import unsubscribe_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def notifications() -> list:
    """Reply and follow mails, leaving aside the statements of reasons (notices app) that
    tell an author why their comment was held or hidden."""
    return [m for m in mail.outbox if "the reasons" not in m.subject]


def test_reply_emails_parent_author_after_commit(rules, article, reader, other_reader, run_tasks):
    parent = services.comment_create(article=article, author=reader, body="Parent")
    run_tasks()
    services.comment_create(article=article, author=other_reader, body="Reply", parent=parent)
    assert not DBTaskResult.objects.ready().exists()  # nothing is queued before the commit
    assert mail.outbox == []
    assert run_tasks() == 2  # the commit queues the notification task; it queues one send_email
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reader.email]
    assert "Grace replied" in message.subject
    assert "Reply" in message.body
    assert "/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_reply_beyond_depth_cap_emails_the_answered_author(
    rules, article, reader, other_reader, run_tasks
):
    third = UserFactory(display_name="Third")
    chain = [services.comment_create(article=article, author=reader, body="level 0")]
    for depth, author in enumerate([other_reader, reader, third], start=1):
        chain.append(
            services.comment_create(
                article=article, author=author, body=f"level {depth}", parent=chain[-1]
            )
        )
    run_tasks()
    mail.outbox.clear()
    deep = services.comment_create(
        article=article, author=other_reader, body="too deep", parent=chain[3]
    )
    assert deep.parent_id == chain[2].pk
    run_tasks()
    assert [m.to for m in mail.outbox] == [[third.email]]


def test_no_reply_email_when_opted_out_or_replying_to_self(
    rules, article, reader, other_reader, run_tasks
):
    parent = services.comment_create(article=article, author=reader, body="Parent")
    services.comment_create(article=article, author=reader, body="Me again", parent=parent)
    run_tasks()
    assert mail.outbox == []
    User.objects.filter(pk=reader.pk).update(reply_mail="off")
    parent = Comment.objects.select_related("author").get(pk=parent.pk)  # as a request loads it
    services.comment_create(article=article, author=other_reader, body="Hi", parent=parent)
    run_tasks()
    assert mail.outbox == []


def test_nothing_sent_until_published_then_once(
    article, reader, other_reader, moderator, run_tasks
):
    """First comments are held (default rules); publishing sends the reply e-mail once."""
    services.comment_create(article=article, author=moderator, body="Staff start")
    parent = Comment.objects.get()
    held = services.comment_create(article=article, author=reader, body="Held", parent=parent)
    assert held.status == Comment.Status.PENDING
    run_tasks()
    assert notifications() == []
    services.comment_set_status(comment=held, status="published", moderator=moderator)
    run_tasks()
    assert len(notifications()) == 1
    services.comment_set_status(comment=held, status="hidden", moderator=moderator)
    services.comment_set_status(comment=held, status="published", moderator=moderator)
    assert run_tasks() == 1  # the statement of reasons for hiding it; no second notification
    assert len(notifications()) == 1


def test_followers_are_told_except_the_author(rules, article, reader, other_reader, run_tasks):
    quiet = UserFactory(followed_mail="off")
    for user in (reader, other_reader, quiet):
        services.thread_follow(article=article, user=user)
    services.comment_create(article=article, author=reader, body="News")
    run_tasks()
    assert [m.to for m in mail.outbox] == [[other_reader.email]]
    assert "New comment on" in mail.outbox[0].subject


def test_a_comment_hidden_before_the_worker_runs_tells_nobody(
    rules, article, reader, other_reader, moderator, run_tasks
):
    services.thread_follow(article=article, user=other_reader)
    comment = services.comment_create(article=article, author=reader, body="Oops")
    services.comment_set_status(comment=comment, status="hidden", moderator=moderator)
    # The notification task, which found nothing to send, and the author's statement of reasons.
    assert run_tasks() == 2
    assert notifications() == []
    assert [m.to for m in mail.outbox] == [[reader.email]]


def test_unsubscribe_link_turns_off_only_its_recipient(
    client, rules, article, reader, other_reader
):
    services.thread_follow(article=article, user=reader)
    services.thread_follow(article=article, user=other_reader)
    token = unsubscribe_token(user_id=reader.pk, kind="follow", article_id=article.pk)
    url = reverse("comments:unsubscribe", kwargs={"token": token})
    assert "Unsubscribe?" in client.get(url).content.decode()
    assert ThreadSubscription.objects.count() == 2  # a GET (link scanner) changes nothing
    response = client.post(url)  # one click, no login, no CSRF cookie (RFC 8058)
    assert "You are unsubscribed" in response.content.decode()
    assert list(ThreadSubscription.objects.values_list("user_id", flat=True)) == [other_reader.pk]


def test_reply_unsubscribe_turns_off_reply_mail(client, rules, reader, other_reader):
    token = unsubscribe_token(user_id=reader.pk, kind="reply")
    client.post(reverse("comments:unsubscribe", kwargs={"token": token}))
    assert User.objects.get(pk=reader.pk).reply_mail == "off"
    assert User.objects.get(pk=other_reader.pk).reply_mail == "immediately"


def test_tampered_unsubscribe_token_is_refused(client, rules, reader, other_reader):
    token = unsubscribe_token(user_id=reader.pk, kind="reply")
    signature = token.rpartition(":")[2]
    forged = unsubscribe_token(user_id=other_reader.pk, kind="reply").rpartition(":")[0]
    for bad in (forged + ":" + signature, token[:-2] + "xx", "garbage"):
        response = client.post(reverse("comments:unsubscribe", kwargs={"token": bad}))
        assert response.status_code == 400
    assert User.objects.filter(reply_mail="off").count() == 0
