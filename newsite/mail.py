"""E-mail that survives a mail server outage: what cannot be sent now is queued and retried.

EMAIL_BACKEND points here; EMAIL_DELIVERY_BACKEND does the sending (SMTP or the console).
`manage.py send_queued_mail` (run it every few minutes from cron) retries with backoff.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def _deliver(message: EmailMessage) -> None:
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    connection.send_messages([message])


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(minutes=2**attempts)


def _queue(message: EmailMessage, error: Exception) -> None:
    html = next((c for c, kind in getattr(message, "alternatives", []) if kind == "text/html"), "")
    OutgoingEmail.objects.create(
        subject=message.subject,
        body=message.body,
        html_body=html,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to) + list(message.cc) + list(message.bcc),
        headers=dict(message.extra_headers),
        last_error=str(error)[:2000],
        next_attempt_at=timezone.now() + _backoff(1),
    )


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            try:
                _deliver(message)
                sent += 1
            except Exception as error:  # the server is down, refused us, timed out…
                logger.warning("mail to %s queued for retry: %s", message.to, error)
                _queue(message, error)
        return sent


def send_queued(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Retry every due message once; returns (sent, still failing)."""
    now = now or timezone.now()
    sent = failing = 0
    due = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, next_attempt_at__lte=now)
    for queued in due:
        message = EmailMultiAlternatives(
            subject=queued.subject,
            body=queued.body,
            from_email=queued.from_email,
            to=queued.to,
            headers=queued.headers,
        )
        if queued.html_body:
            message.attach_alternative(queued.html_body, "text/html")
        try:
            _deliver(message)
        except Exception as error:
            failing += 1
            queued.attempts += 1
            queued.last_error = str(error)[:2000]
            queued.next_attempt_at = now + _backoff(queued.attempts)
            if queued.attempts >= MAX_ATTEMPTS:
                queued.status = OutgoingEmail.Status.FAILED
                logger.error("gave up on mail to %s after %s attempts", queued.to, queued.attempts)
        else:
            sent += 1
            queued.status = OutgoingEmail.Status.SENT
        queued.save()
    return sent, failing
