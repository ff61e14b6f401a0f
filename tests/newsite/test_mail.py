import datetime as dt
import smtplib
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from newsite.mail import MAX_ATTEMPTS, send_queued
from newsite.models import OutgoingEmail

pytestmark = pytest.mark.django_db


class DownBackend:
    """A mail server that cannot be reached."""

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "newsite.mail.OutboxEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def test_mail_server_down_queues_instead_of_failing(outbox):
    outbox.EMAIL_DELIVERY_BACKEND = "tests.newsite.test_mail.DownBackend"
    sent = mail.send_mail("Reply to you", "Someone replied.", None, ["ada@example.com"])
    assert sent == 0
    queued = OutgoingEmail.objects.get()
    assert queued.to == ["ada@example.com"]
    assert queued.status == OutgoingEmail.Status.QUEUED
    assert "Connection unexpectedly closed" in queued.last_error
    assert mail.outbox == []


def test_queued_mail_is_retried_when_the_server_is_back(outbox):
    outbox.EMAIL_DELIVERY_BACKEND = "tests.newsite.test_mail.DownBackend"
    mail.EmailMessage("Verify", "Click", None, ["bo@example.com"], headers={"X-Tag": "1"}).send()
    outbox.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert send_queued() == (0, 0)  # not due yet: backoff
    later = timezone.now() + dt.timedelta(hours=1)
    assert send_queued(now=later) == (1, 0)
    assert [m.subject for m in mail.outbox] == ["Verify"]
    assert mail.outbox[0].extra_headers["X-Tag"] == "1"
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT
    out = StringIO()
    call_command("send_queued_mail", stdout=out)
    assert out.getvalue() == "0 sent, 0 still failing.\n"


def test_gives_up_after_max_attempts(outbox):
    outbox.EMAIL_DELIVERY_BACKEND = "tests.newsite.test_mail.DownBackend"
    mail.send_mail("S", "B", None, ["c@example.com"])
    moment = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        moment += dt.timedelta(days=1)
        send_queued(now=moment)
    queued = OutgoingEmail.objects.get()
    assert queued.status == OutgoingEmail.Status.FAILED
    assert queued.attempts == MAX_ATTEMPTS


def test_working_server_sends_at_once(outbox):
    mail.send_mail("Hello", "Body", None, ["d@example.com"])
    assert len(mail.outbox) == 1
    assert not OutgoingEmail.objects.exists()
