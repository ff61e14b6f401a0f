"""Writes of the federation app: follows, and activities queued for delivery.

Every delivery is one Delivery row (the log) and one task (federation/tasks.py) for one inbox,
queued once the current transaction commits: a request never waits for another server, and one
slow server never holds up another.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html

from . import fetch, vocab
from .models import Delivery, Follower, RemoteActor, SiteActor

logger = logging.getLogger(__name__)

# 1, 4, 16, 64 minutes… about 22 hours of trying in all before giving up.
MAX_ATTEMPTS = 8
# At most this many deliveries to one domain at once, across all workers; the rest wait.
DOMAIN_CONCURRENCY = 2
# How long a delivery that found its domain busy waits before trying for a slot again.
BUSY_DELAY = timedelta(seconds=5)


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, …)."""
    return timedelta(minutes=4 ** (attempt - 1))


def domain_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


# --- queueing ---------------------------------------------------------------------------------


def _new_delivery(activity: dict[str, Any], inbox: str) -> Delivery:
    return Delivery(
        activity_id=activity["id"],
        activity_type=activity["type"],
        activity=activity,
        inbox=inbox,
        domain=domain_of(inbox),
    )


def _send_after_commit(deliveries: list[Delivery]) -> None:
    from .tasks import deliver

    for delivery in deliveries:
        transaction.on_commit(partial(deliver.enqueue, delivery.pk), robust=True)


def delivery_create(*, activity: dict[str, Any], inbox: str) -> Delivery:
    """Log one activity for one inbox and send it from the worker after the commit."""
    delivery = _new_delivery(activity, inbox)
    delivery.save()
    _send_after_commit([delivery])
    return delivery


def follower_inboxes() -> list[str]:
    """Each follower's server once: its shared inbox, else the follower's own inbox."""
    inboxes = (
        RemoteActor.objects.filter(follower__isnull=False)
        .values_list("shared_inbox", "inbox")
        .order_by("pk")
    )
    return list(dict.fromkeys(shared or own for shared, own in inboxes if shared or own))


def deliver_to_followers(activity: dict[str, Any]) -> list[Delivery]:
    """Fan an activity out to every follower's inbox, each inbox once."""
    deliveries = Delivery.objects.bulk_create(
        [_new_delivery(activity, inbox) for inbox in follower_inboxes()]
    )
    _send_after_commit(deliveries)
    return deliveries


# --- attempting -------------------------------------------------------------------------------


def _take_domain_slot(domain: str) -> str | None:
    """One of the domain's DOMAIN_CONCURRENCY slots (a cache key), or None if all are taken.
    A slot expires by itself after the longest a delivery may take, should a worker die."""
    from django.conf import settings

    for slot in range(DOMAIN_CONCURRENCY):
        key = f"federation:busy:{domain}:{slot}"
        if cache.add(key, 1, timeout=int(settings.FEDERATION_TIMEOUT) + 5):
            return key
    return None


def delivery_attempt(*, delivery: Delivery) -> bool:
    """Try to send a pending delivery once. Returns False, changing nothing, when its domain
    already has DOMAIN_CONCURRENCY deliveries under way (the caller tries again shortly)."""
    slot = _take_domain_slot(delivery.domain)
    if slot is None:
        return False
    try:
        error, status = "", None
        try:
            response = fetch.post_activity(delivery.inbox, delivery.activity)
            status = response.status
            if not 200 <= status < 300:
                answer = response.body[:300].decode("utf-8", "replace")
                error = f"HTTP {status} {response.reason}: {answer}"
        except fetch.FetchError as failure:
            error = str(failure)
    finally:
        cache.delete(slot)
    delivery.attempts += 1
    delivery.last_status = status
    delivery.last_error = error
    if not error:
        delivery.state = Delivery.State.SENT
        delivery.next_attempt_at = None
    elif _is_final(status) or delivery.attempts >= MAX_ATTEMPTS:
        delivery.state = Delivery.State.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
    delivery.save()
    return True


def _is_final(status: int | None) -> bool:
    """A refusal that asking again will not change (4xx but 408 Request Timeout and 429 Too
    Many Requests); server errors and no answer at all are retried."""
    return status is not None and 400 <= status < 500 and status not in (408, 429)


# --- follows ----------------------------------------------------------------------------------


def accept_follow(*, remote_actor: RemoteActor, follow_activity: dict[str, Any]) -> Follower:
    """Make `remote_actor` a follower and send them a signed Accept of their Follow."""
    with transaction.atomic():
        follower, _ = Follower.objects.update_or_create(
            remote_actor=remote_actor,
            defaults={"follow_activity_id": str(follow_activity.get("id", ""))[:500]},
        )
        accept = {
            "@context": vocab.AS_CONTEXT,
            "id": vocab.activity_id("Accept", uuid.uuid4().hex),
            "type": "Accept",
            "actor": vocab.actor_id(),
            "to": [remote_actor.actor_id],
            "object": follow_activity,
        }
        delivery_create(activity=accept, inbox=remote_actor.inbox or remote_actor.shared_inbox)
    return follower


def undo_follow(*, remote_actor: RemoteActor) -> bool:
    """`remote_actor` stops following; True if they were following."""
    deleted, _ = Follower.objects.filter(remote_actor=remote_actor).delete()
    return bool(deleted)


# --- notes to remote actors -------------------------------------------------------------------


def deliver_note(
    *,
    to: RemoteActor,
    content_html: str,
    in_reply_to: str | None = None,
    public: bool = False,
    note_id: str | None = None,
    url: str | None = None,
) -> Delivery:
    """Send a Note mentioning `to`, to their inbox: a direct message, or with `public` a
    public reply (to Public, cc them). `content_html` must be safe HTML already (sanitised or
    escaped); the mention link is put in front of it.

    `note_id` should be a URL we serve (a comment's permalink); without one the Note gets an id
    under the actor, like the activities we send.
    """
    token = uuid.uuid4().hex
    mention_name = f"@{to.handle}" if to.handle else to.actor_id
    profile = to.url or to.actor_id
    mention = format_html(
        '<span class="h-card"><a href="{}" class="u-url mention">{}</a></span> ',
        profile,
        mention_name,
    )
    note = {
        "id": note_id or vocab.activity_id("Note", token),
        "type": "Note",
        "attributedTo": vocab.actor_id(),
        "content": f"<p>{mention}</p>{content_html}",
        "published": timezone.now().isoformat().replace("+00:00", "Z"),
        "to": [vocab.PUBLIC] if public else [to.actor_id],
        "cc": [to.actor_id, vocab.followers_url()] if public else [],
        "tag": [{"type": "Mention", "href": to.actor_id, "name": mention_name}],
        **({"inReplyTo": in_reply_to} if in_reply_to else {}),
        **({"url": url} if url else {}),
    }
    create = {
        "@context": vocab.AS_CONTEXT,
        "id": vocab.activity_id("Create", token),
        "type": "Create",
        "actor": vocab.actor_id(),
        "to": note["to"],
        "cc": note["cc"],
        "published": note["published"],
        "object": note,
    }
    return delivery_create(activity=create, inbox=to.inbox or to.shared_inbox)


# --- articles ---------------------------------------------------------------------------------


def article_activity(kind: str, article) -> dict[str, Any]:
    """Create, Update or Delete of an article, by the site's actor, to Public and followers."""
    from . import documents

    if kind == "Delete":
        obj: Any = {
            "id": documents.article_url(article),
            "type": "Tombstone",
            "formerType": "Article",
        }
    else:
        obj = documents.article_object(article, with_replies=False)
    activity = documents.activity(kind, obj, f"{article.slug}-{uuid.uuid4().hex}")
    activity["published"] = timezone.now().isoformat().replace("+00:00", "Z")
    return activity


def actor_update() -> dict[str, Any]:
    from . import documents

    return documents.activity("Update", documents.actor_document(), uuid.uuid4().hex)


def key_rotate() -> SiteActor:
    """A new key pair for the site's actor; the old one is kept (not current) for reference.
    Followers are sent an Update of the actor, signed with the new key."""
    from .models import new_key_pair

    private_pem, public_pem = new_key_pair()
    with transaction.atomic():
        old = SiteActor.objects.select_for_update().filter(is_current=True).first()
        if old is not None:
            old.is_current = False
            old.rotated_at = timezone.now()
            old.save(update_fields=["is_current", "rotated_at"])
        new = SiteActor.objects.create(
            username=old.username if old else "",
            private_key_pem=private_pem,
            public_key_pem=public_pem,
        )
        if not new.username:
            from django.conf import settings

            new.username = settings.FEDERATION_ACTOR_NAME
            new.save(update_fields=["username"])
        deliver_to_followers(actor_update())
    return new
