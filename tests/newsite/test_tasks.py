"""newsite/tasks.py: every e-mail is sent by the worker, retried with backoff when it fails."""

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from newsite.tasks import MAX_ATTEMPTS, enqueue_email, retry_delay, send_email

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class DownBackend:
    """A mail server that cannot be reached."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class BrokenBackend(DownBackend):
    def send_messages(self, messages):
        raise ValueError("a bug, not an outage")


@pytest.fixture
def mail_server(settings):
    """settings.EMAIL_BACKEND as a switch: mail_server.down() and .up()."""

    class Switch:
        def down(self):
            settings.EMAIL_BACKEND = f"{__name__}.DownBackend"

        def up(self):
            settings.EMAIL_BACKEND = LOCMEM

    switch = Switch()
    switch.up()
    return switch


def test_a_message_keeps_every_part_on_its_way_through_the_queue(mail_server, run_tasks):
    message = mail.EmailMultiAlternatives(
        "Reply to you",
        "Plain body",
        "News <news@example.com>",
        ["ada@example.com"],
        cc=["cc@example.com"],
        bcc=["bcc@example.com"],
        reply_to=["editor@example.com"],
        headers={"List-Unsubscribe": "<https://example.com/u/1>"},
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    html_only = mail.EmailMessage("HTML only", "<p>Hi</p>", None, ["bo@example.com"])
    html_only.content_subtype = "html"
    enqueue_email(message)
    enqueue_email(html_only)
    assert run_tasks() == 2
    sent, other = mail.outbox
    assert (sent.subject, sent.body, sent.from_email) == (
        "Reply to you",
        "Plain body",
        "News <news@example.com>",
    )
    assert (sent.to, sent.cc, sent.bcc, sent.reply_to) == (
        ["ada@example.com"],
        ["cc@example.com"],
        ["bcc@example.com"],
        ["editor@example.com"],
    )
    assert sent.alternatives == [("<p>HTML body</p>", "text/html")]
    assert sent.extra_headers["List-Unsubscribe"] == "<https://example.com/u/1>"
    assert other.content_subtype == "html"
    assert "Content-Type: text/html" in other.message().as_string()


def test_nothing_is_queued_by_a_transaction_that_rolls_back(mail_server, run_tasks):
    @transaction.atomic
    def signup_that_fails():
        enqueue_email(mail.EmailMessage("Welcome", "Hi", None, ["ada@example.com"]))
        raise RuntimeError("the signup failed after all")

    with pytest.raises(RuntimeError):
        signup_that_fails()
    assert run_tasks() == 0
    assert mail.outbox == []


def test_a_failed_send_is_retried_later_and_sent_once(mail_server, run_tasks):
    mail_server.down()
    enqueue_email(mail.EmailMessage("Verify", "Click", None, ["bo@example.com"]))
    assert run_tasks() == 1
    failed = DBTaskResult.objects.failed().get()
    assert failed.exception_class_path == "smtplib.SMTPServerDisconnected"
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert retry.run_after > failed.finished_at + retry_delay(1) - dt.timedelta(seconds=1)

    mail_server.up()
    assert run_tasks() == 0  # not due yet
    assert run_tasks(later=retry_delay(1)) == 1
    assert [m.subject for m in mail.outbox] == ["Verify"]
    assert run_tasks(later=dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_gives_up_after_max_attempts(mail_server, run_tasks):
    mail_server.down()
    enqueue_email(mail.EmailMessage("S", "B", None, ["c@example.com"]))
    for day in range(1, MAX_ATTEMPTS + 2):
        run_tasks(later=dt.timedelta(days=day))
    assert DBTaskResult.objects.failed().count() == MAX_ATTEMPTS
    assert not DBTaskResult.objects.filter(status="READY").exists()
    last = DBTaskResult.objects.order_by("finished_at").last()
    assert last.args_kwargs["kwargs"]["attempt"] == MAX_ATTEMPTS


def test_a_bug_is_not_retried(settings, run_tasks):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"
    send_email.enqueue(subject="S", body="B", to=["d@example.com"])
    assert run_tasks(later=dt.timedelta(days=1)) == 1
    assert DBTaskResult.objects.get().exception_class_path == "builtins.ValueError"


def test_attachments_are_refused_rather_than_dropped():
    message = mail.EmailMessage("S", "B", None, ["e@example.com"])
    message.attach("a.txt", "data", "text/plain")
    with pytest.raises(ValueError, match="attachments"):
        enqueue_email(message)
