"""Every e-mail the site sends goes out from the task worker (`manage.py db_worker`), never
inside a request: a slow or unreachable mail server then costs a reader nothing.

A request builds the message and calls `enqueue_email(message)`; once its transaction commits,
the message's fields are queued for `send_email`. If the server cannot be reached, the task
queues itself again with backoff, up to MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

# Django 6: `from django.tasks import TaskContext, task`, the same API.
from django_tasks import TaskContext, task

logger = logging.getLogger(__name__)

# 2, 4, 8 … 128 minutes apart: about four and a quarter hours of trying before giving up.
MAX_ATTEMPTS = 8


def retry_delay(attempt: int) -> dt.timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, …)."""
    return dt.timedelta(minutes=2**attempt)


def email_fields(message: EmailMessage) -> dict:
    """An EmailMessage as the JSON-serialisable keyword arguments of send_email."""
    if message.attachments:
        raise ValueError("send_email carries no attachments")
    html = next(
        (content for content, kind in getattr(message, "alternatives", []) if kind == "text/html"),
        None,
    )
    return {
        "subject": message.subject,
        "body": message.body,
        "html": html,
        "content_subtype": message.content_subtype,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
    }


def enqueue_email(message: EmailMessage) -> None:
    """Send `message` from the worker, once the current transaction (if any) has committed."""
    transaction.on_commit(partial(send_email.enqueue, **email_fields(message)), robust=True)


@task(takes_context=True)
def send_email(
    context: TaskContext,
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str | None = None,
    content_subtype: str = "plain",
    from_email: str | None = None,
    cc: list[str] | None = None,
    bcc: list[str] | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    attempt: int = 1,
) -> None:
    """Send one message with EMAIL_BACKEND; if the server is away, try again later.

    A failed attempt is recorded as a failed task, with its traceback, after its retry is queued
    as a new task that runs after `retry_delay()`. Other errors (a bug) are not retried.
    """
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        from_email=from_email,
        to=to,
        cc=cc,
        bcc=bcc,
        reply_to=reply_to,
        headers=headers,
    )
    message.content_subtype = content_subtype
    if html is not None:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except OSError as error:  # refused, timed out, unreachable; smtplib's errors included
        if attempt >= MAX_ATTEMPTS:
            logger.error("Gave up on mail to %s after %s attempts: %s", to, attempt, error)
            raise
        retry_at = timezone.now() + retry_delay(attempt)
        fields = {**context.task_result.kwargs, "attempt": attempt + 1}
        send_email.using(run_after=retry_at).enqueue(**fields)
        logger.warning("Mail to %s failed (%s); retrying at %s", to, error, retry_at)
        raise
