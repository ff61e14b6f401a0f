"""The inbox (shared and the actor's own): other servers POST activities here.

Checks run cheapest first, so a flood costs little: the sending address's rate (429), size
(413), JSON (400), blocks (403), then the HTTP Signature (401): the signer's key comes from
their actor document, cached, and fetched again once when it fails (they may have rotated
it); the Date must be within FEDERATION_SIGNATURE_MAX_SKEW, the Digest must match the body, a
signature is accepted once, and the signer must be the activity's actor. Only then does the
activity count against its domain's rate (429): a request that merely names a server cannot
spend that server's allowance. The activity is then stored and the worker processes it
(federation/inbound.py); the answer is 202.

Blocked actors and domains get 403 rather than a silent 202: an honest server then stops
retrying, and a blocked one learns nothing it could not guess.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from comments import ratelimit

from . import fetch, remote
from .activities import ActivityError, parse_activity
from .models import Block, InboxActivity, RemoteActor
from .signatures import SignatureError, parse_signature_header, verify_request

logger = logging.getLogger(__name__)


def _refuse(status: int, reason: str) -> HttpResponse:
    return JsonResponse({"error": reason}, status=status)


def _too_many(wait: int, reason: str) -> HttpResponse:
    response = _refuse(429, reason)
    response["Retry-After"] = str(wait)
    return response


def read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or None when it is larger than `limit`: the Content-Length is checked
    before reading, and a body without one is read no further than the limit."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


def is_blocked(actor_id: str, domain: str) -> bool:
    return Block.objects.filter(
        Q(kind=Block.Kind.ACTOR, value=actor_id) | Q(kind=Block.Kind.DOMAIN, value=domain)
    ).exists()


def verify(request: HttpRequest, body: bytes, key_id: str) -> RemoteActor:
    """The actor whose key signed this request; SignatureError or FetchError otherwise."""
    skew = timedelta(seconds=settings.FEDERATION_SIGNATURE_MAX_SKEW)
    actor, fresh = remote.actor_for_key(key_id)
    arguments = (request.method, request.get_full_path(), request.headers, body)
    try:
        verify_request(*arguments, actor.public_key_pem, max_skew=skew)
    except SignatureError:
        if fresh:
            raise
        actor, _ = remote.actor_for_key(key_id, refresh=True)  # once: the key may be new
        verify_request(*arguments, actor.public_key_pem, max_skew=skew)
    return actor


def first_use_of(signature: str) -> bool:
    """True the first time a signature is seen within the skew window (replays are refused:
    past the window, the Date check refuses them)."""
    key = "federation:signature:" + hashlib.sha256(signature.encode()).hexdigest()
    return cache.add(key, 1, timeout=2 * settings.FEDERATION_SIGNATURE_MAX_SKEW)


@csrf_exempt  # server-to-server: authenticated by its HTTP Signature, never by a cookie
@require_POST
def inbox(request: HttpRequest) -> HttpResponse:
    if wait := ratelimit.wait(
        f"federation:inbox:address:{ratelimit.client_ip(request)}",
        limit=settings.FEDERATION_INBOX_ADDRESS_RATE_LIMIT,
        window=settings.FEDERATION_INBOX_RATE_WINDOW,
    ):
        return _too_many(wait, "Too many requests from this address; try again later.")
    body = read_body(request, settings.FEDERATION_INBOX_MAX_BYTES)
    if body is None:
        return _refuse(413, "The activity is too large.")
    try:
        activity = parse_activity(json.loads(body))
    except (ValueError, RecursionError):  # not UTF-8, not JSON, nested beyond reason
        return _refuse(400, "The body is not JSON.")
    except ActivityError as error:
        return _refuse(400, str(error))
    domain = remote.domain_of(activity.actor)
    if not domain:
        return _refuse(400, "The actor is not a URL.")
    if is_blocked(activity.actor, domain):
        return _refuse(403, "This actor or server is blocked here.")
    header = request.headers.get("Signature") or request.headers.get("Authorization") or ""
    try:
        key_id = parse_signature_header(header).key_id if header else ""
        if not key_id:
            return _refuse(401, "The request is not signed.")
        if remote.domain_of(key_id) != domain:
            return _refuse(401, "The signer is not the activity's actor.")
        # A deleted account's key can no longer be fetched: only a known one can be checked.
        deletes_unknown_account = (
            activity.type == "Delete"
            and activity.object_id == activity.actor
            and not RemoteActor.objects.filter(key_id=key_id).exists()
        )
        if deletes_unknown_account:
            return HttpResponse(status=202)
        signer = verify(request, body, key_id)
    except SignatureError as error:
        return _refuse(401, error.reason)
    except fetch.FetchError as error:
        logger.info("Inbox: no key for %s: %s", key_id, error)
        return _refuse(401, "The signer's key could not be fetched.")
    if signer.actor_id != activity.actor:
        return _refuse(401, "The signer is not the activity's actor.")
    if wait := ratelimit.wait(
        f"federation:inbox:{domain}",
        limit=settings.FEDERATION_INBOX_RATE_LIMIT,
        window=settings.FEDERATION_INBOX_RATE_WINDOW,
    ):
        return _too_many(wait, "Too many activities from this server; try again later.")
    if not first_use_of(header):
        return _refuse(401, "This signature was already used.")
    return accept(activity, domain=domain)


def accept(activity, *, domain: str) -> HttpResponse:
    """Store the activity once and queue it for the worker."""
    from .inbound import process_inbox_activity

    try:
        with transaction.atomic():
            stored = InboxActivity.objects.create(
                activity_id=activity.id,
                activity_type=activity.type[:50],
                actor_id=activity.actor,
                domain=domain,
                # PostgreSQL's jsonb refuses NUL characters; they carry nothing we show.
                payload=json.loads(json.dumps(activity.raw).replace("\\u0000", "")),
            )
    except IntegrityError:  # a redelivery: processed (or queued) already
        return HttpResponse(status=202)
    transaction.on_commit(lambda: process_inbox_activity.enqueue(stored.pk), robust=True)
    return HttpResponse(status=202)
