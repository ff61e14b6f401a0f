"""Every webhook write: endpoints, their secrets, and deliveries with their attempts.

An event (webhooks/signals.py) calls `event_send_on_commit`: nothing happens until the write
that caused it commits, and then one Delivery per endpoint that wants it is stored and handed
to the task worker, one task each, so a slow receiver delays no other.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import time
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from newsite.tasks import retry_delay

from . import client, guard, signing
from .models import LOG_SIZE, Delivery, Endpoint, Event, new_secret
from .payloads import ping_data

logger = logging.getLogger(__name__)

# 2, 4, 8 … 128 minutes apart (newsite.tasks.retry_delay): about four hours of trying.
MAX_ATTEMPTS = 8
# How long a rotated secret still signs requests, so the receiver can switch over.
ROTATION_OVERLAP = dt.timedelta(hours=24)
USER_AGENT = "newsite-webhooks/1"


def endpoint_create(*, name: str, url: str, events: list[str], is_active: bool = True) -> Endpoint:
    endpoint = Endpoint(name=name, url=url, events=list(events), is_active=is_active)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_rotate_secret(*, endpoint: Endpoint, overlap: dt.timedelta = ROTATION_OVERLAP):
    """A new secret; the current one keeps signing beside it for `overlap`."""
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + overlap
    endpoint.secret = new_secret()
    endpoint.full_clean(exclude=["url"])  # rotating a secret needs no DNS
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint


def endpoint_send_test(*, endpoint: Endpoint) -> Delivery:
    """Queue a `test` event to this endpoint, switched on or not: try it before using it."""
    return delivery_create(endpoint=endpoint, event=Event.TEST, data=ping_data(endpoint))


def delivery_create(*, endpoint: Endpoint, event: str, data: dict) -> Delivery:
    """Store a delivery, keep the endpoint's log to LOG_SIZE, and queue its sending."""
    from .tasks import deliver

    delivery = Delivery(endpoint=endpoint, event=event, data=data)
    delivery.full_clean(exclude=["endpoint"])
    delivery.save()
    oldest_kept = (
        Delivery.objects.filter(endpoint=endpoint)
        .order_by("-id")
        .values_list("id", flat=True)[LOG_SIZE - 1 : LOG_SIZE]
    )
    Delivery.objects.filter(endpoint=endpoint, id__lt=oldest_kept).delete()
    transaction.on_commit(partial(deliver.enqueue, delivery.pk), robust=True)
    return delivery


def event_send(*, event: str, data: dict | Callable[[], dict]) -> list[Delivery]:
    """One delivery per active endpoint that wants `event`. `data` may be a function, called
    only if some endpoint does."""
    endpoints = [endpoint for endpoint in Endpoint.objects.active() if endpoint.wants(event)]
    if not endpoints:
        return []
    if callable(data):
        data = data()
    with transaction.atomic():
        return [
            delivery_create(endpoint=endpoint, event=event, data=data) for endpoint in endpoints
        ]


def event_send_on_commit(*, event: str, data: dict | Callable[[], dict]) -> None:
    """event_send once the current transaction commits; nothing if it rolls back."""
    transaction.on_commit(partial(event_send, event=event, data=data), robust=True)


def _record(delivery: Delivery, **fields) -> None:
    for name, value in fields.items():
        setattr(delivery, name, value)
    delivery.save(update_fields=[*fields])


def delivery_attempt(*, delivery: Delivery) -> Delivery:
    """Try one delivery once, and record how it went: delivered (any 2xx), to be retried
    (no answer, or any other status) with backoff up to MAX_ATTEMPTS, or failed. A refused
    address, a redirect or a switched-off endpoint are not retried: trying again cannot help.
    """
    endpoint = delivery.endpoint
    attempt = delivery.attempts + 1
    started = time.monotonic()
    status_code, error, retry = None, "", True
    if not endpoint.is_active and delivery.event != Event.TEST:
        error, retry = "The endpoint was switched off.", False
    else:
        body = delivery.body()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Newsite-Event": delivery.event,
            "X-Newsite-Delivery": str(delivery.pk),
            signing.HEADER: signing.signature_header(endpoint.signing_secrets(), body),
        }
        try:
            target = guard.check(endpoint.url)  # again: DNS answers change
            answer = client.post(target, body, headers, timeout=settings.WEBHOOK_TIMEOUT)
        except guard.Refused as refused:
            error, retry = f"Refused: {refused}", False
        except (OSError, http.client.HTTPException) as failure:
            error = f"No answer: {str(failure) or type(failure).__name__}"
        else:
            status_code = answer.status
            if 300 <= answer.status < 400:
                error, retry = f"Redirect to {answer.location or '?'} not followed.", False
            elif not 200 <= answer.status < 300:
                error = f"{answer.status} {answer.reason}: {answer.text}".strip()
    now = timezone.now()
    if status_code is not None and 200 <= status_code < 300:
        status, next_at = Delivery.Status.DELIVERED, None
    elif retry and attempt < MAX_ATTEMPTS:
        status, next_at = Delivery.Status.RETRYING, now + retry_delay(attempt)
    else:
        status, next_at = Delivery.Status.FAILED, None
    _record(
        delivery,
        attempts=attempt,
        status=status,
        status_code=status_code,
        error=error[:500],
        duration_ms=round((time.monotonic() - started) * 1000),
        attempted_at=now,
        next_attempt_at=next_at,
    )
    if error:
        logger.warning("Webhook %s to %s, attempt %s: %s", delivery.pk, endpoint, attempt, error)
    return delivery
