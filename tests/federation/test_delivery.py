"""Follows, the fan-out of articles to followers, signed delivery with retries, backoff and a
per-domain limit, against local servers that verify every signature with our verifier."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from federation import vocab
from federation.models import Delivery, Follower, SiteActor
from federation.services import (
    DOMAIN_CONCURRENCY,
    MAX_ATTEMPTS,
    accept_follow,
    deliver_note,
    deliver_to_followers,
    delivery_attempt,
    delivery_create,
    retry_delay,
    undo_follow,
)
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

FOLLOW = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://remote.example/follows/1",
    "type": "Follow",
    "actor": "https://remote.example/users/alice",
    "object": "https://news.example/federation/actor",
}


def follow(remote, name="alice", **kwargs):
    actor = remote.actor(name, **kwargs)
    Follower.objects.create(remote_actor=actor)
    return actor


def test_a_follow_is_answered_with_a_signed_accept(remote, run_tasks):
    alice = remote.actor("alice")
    follower = accept_follow(remote_actor=alice, follow_activity=FOLLOW)
    assert follower.follow_activity_id == FOLLOW["id"]
    assert run_tasks() == 1
    (request,) = remote.posts()
    assert request.path == "/users/alice/inbox"  # the follower's own inbox, not the shared one
    assert request.signature_error is None
    assert request.headers["Content-Type"] == "application/activity+json"
    assert vocab.key_id() in request.headers["Signature"]
    accept = request.json()
    assert accept["type"] == "Accept"
    assert accept["actor"] == vocab.actor_id()
    assert accept["object"] == FOLLOW
    assert Delivery.objects.get().state == Delivery.State.SENT


def test_a_second_follow_keeps_one_follower_and_undo_removes_it(remote):
    alice = remote.actor("alice")
    accept_follow(remote_actor=alice, follow_activity=FOLLOW)
    accept_follow(remote_actor=alice, follow_activity={**FOLLOW, "id": "https://r.example/f/2"})
    assert Follower.objects.get().follow_activity_id == "https://r.example/f/2"
    assert undo_follow(remote_actor=alice) is True
    assert not Follower.objects.exists()
    assert undo_follow(remote_actor=alice) is False


def test_fan_out_reaches_each_inbox_once_shared_first(remote, other_remote, run_tasks):
    for name in ("alice", "bob", "carol"):
        follow(remote, name)  # one server, one shared inbox
    follow(other_remote, "dave", shared=False)  # no shared inbox: the personal one
    follow(other_remote, "erin", shared=False)
    deliveries = deliver_to_followers({"id": "https://n.example/a#1", "type": "Create"})
    assert sorted(d.inbox for d in deliveries) == sorted(
        [
            f"{remote.base}/inbox",
            f"{other_remote.base}/users/dave/inbox",
            f"{other_remote.base}/users/erin/inbox",
        ]
    )
    assert run_tasks() == 3
    assert [r.path for r in remote.posts()] == ["/inbox"]
    assert sorted(r.path for r in other_remote.posts()) == [
        "/users/dave/inbox",
        "/users/erin/inbox",
    ]
    assert all(r.signature_error is None for r in remote.requests + other_remote.requests)


def test_publishing_editing_and_unpublishing_deliver_create_update_delete(remote, run_tasks):
    follow(remote)
    tag = TagFactory(name="Shipping")
    article = ArticleFactory(slug="ports", title="Ports reopen", tags=[tag])
    run_tasks()
    article.title = "Ports reopen at last"
    article.save()
    run_tasks()
    article.status = article.Status.DRAFT
    article.save()
    run_tasks()
    kinds = [r.json()["type"] for r in remote.posts()]
    assert kinds == ["Create", "Update", "Delete"]
    create, update, delete = (r.json() for r in remote.posts())
    url = vocab.absolute("/articles/ports/")
    assert create["object"]["id"] == url
    assert create["object"]["type"] == "Article"
    assert create["object"]["tag"][0]["name"] == "#Shipping"
    assert create["to"] == [vocab.PUBLIC]
    assert create["cc"] == [vocab.followers_url()]
    assert update["object"]["name"] == "Ports reopen at last"
    assert delete["object"] == {"id": url, "type": "Tombstone", "formerType": "Article"}
    assert len({create["id"], update["id"], delete["id"]}) == 3
    assert all(r.signature_error is None for r in remote.requests)


def test_deleting_a_published_article_delivers_delete(remote, run_tasks):
    follow(remote)
    article = ArticleFactory(slug="gone")
    run_tasks()
    article.delete()
    run_tasks()
    assert [r.json()["type"] for r in remote.posts()] == ["Create", "Delete"]
    assert remote.posts()[1].json()["object"]["id"] == vocab.absolute("/articles/gone/")


def test_a_draft_and_counter_updates_deliver_nothing(remote, run_tasks):
    follow(remote)
    draft = ArticleFactory(status="draft")
    draft.title = "Still a draft"
    draft.save()
    run_tasks()
    assert remote.posts() == []
    live = ArticleFactory()
    run_tasks()
    live.comment_count = 3
    live.save(update_fields=["comment_count"])
    run_tasks()
    assert [r.json()["type"] for r in remote.posts()] == ["Create"]


def test_a_scheduled_article_is_delivered_when_it_goes_live(remote, run_tasks):
    follow(remote)
    ArticleFactory(published_at=timezone.now() + dt.timedelta(minutes=30))
    run_tasks()
    assert remote.posts() == []
    run_tasks(later=dt.timedelta(minutes=31))
    assert [r.json()["type"] for r in remote.posts()] == ["Create"]


def test_nothing_is_queued_for_a_site_without_followers(run_tasks):
    ArticleFactory()
    run_tasks()
    assert not Delivery.objects.exists()


def test_a_failing_server_is_retried_with_backoff_then_delivered(remote, run_tasks):
    remote.script["/inbox"] = [(500, {}, b"busy"), (503, {}, b"")]
    follow(remote)
    deliver_to_followers({"id": "https://n.example/a#1", "type": "Create"})
    run_tasks()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500 Internal Server Error: busy"
    assert delivery.next_attempt_at > timezone.now() + retry_delay(1) - dt.timedelta(seconds=5)
    run_tasks(later=retry_delay(1) - dt.timedelta(seconds=10))
    assert Delivery.objects.get().attempts == 1  # not due yet
    run_tasks(later=retry_delay(1) + dt.timedelta(seconds=1))
    assert Delivery.objects.get().attempts == 2
    run_tasks(later=retry_delay(1) + retry_delay(2) + dt.timedelta(seconds=2))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("sent", 3, 202)
    assert len(remote.posts()) == 3


def test_backoff_grows_exponentially():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 4, 16, 64]


def test_a_refusal_is_not_retried(remote, run_tasks):
    remote.script["/inbox"] = [(403, {}, b"blocked")]
    follow(remote)
    deliver_to_followers({"id": "https://n.example/a#1", "type": "Create"})
    run_tasks(later=dt.timedelta(days=2))
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("failed", 1, 403)


def test_an_unreachable_server_is_given_up_after_max_attempts(allow_local, site_actor):
    delivery = delivery_create(
        activity={"id": "https://n.example/a#1", "type": "Create"},
        inbox="http://127.0.0.1:9/inbox",  # discard port: connection refused
    )
    for _ in range(MAX_ATTEMPTS):
        assert delivery_attempt(delivery=delivery)
    assert delivery.state == Delivery.State.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.last_status is None


def test_private_addresses_are_refused_unless_allowed(site_actor, settings):
    settings.FEDERATION_ALLOWED_HOSTS = []
    delivery = delivery_create(
        activity={"id": "https://n.example/a#1", "type": "Create"},
        inbox="http://169.254.169.254/inbox",
    )
    delivery_attempt(delivery=delivery)
    assert "a cloud metadata address" in delivery.last_error
    assert "DJANGO_FEDERATION_ALLOWED_HOSTS" in delivery.last_error


def test_a_busy_domain_makes_deliveries_wait_without_an_attempt(remote, run_tasks):
    follow(remote)
    domain = "127.0.0.1"
    held = [f"federation:busy:{domain}:{slot}" for slot in range(DOMAIN_CONCURRENCY)]
    for key in held:
        cache.set(key, 1, 60)
    deliver_to_followers({"id": "https://n.example/a#1", "type": "Create"})
    run_tasks()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 0)
    assert remote.requests == []
    cache.delete(held[0])  # one delivery to that server finished
    run_tasks(later=dt.timedelta(seconds=6))
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 1)
    assert cache.get(held[1]) == 1  # the other slot is still someone else's
    assert cache.get(held[0]) is None  # ours was given back


def test_a_slow_server_is_cut_off_and_delays_no_other(remote, other_remote, settings, run_tasks):
    settings.FEDERATION_TIMEOUT = 0.3
    remote.delay = 2
    follow(remote, "slow")
    follow(other_remote, "fast")
    deliver_to_followers({"id": "https://n.example/a#1", "type": "Create"})
    run_tasks()
    slow = Delivery.objects.get(inbox__startswith=remote.base)
    fast = Delivery.objects.get(inbox__startswith=other_remote.base)
    assert slow.state == "pending"
    assert "TimeoutError" in slow.last_error
    assert fast.state == "sent"


def test_deliver_note_sends_a_direct_note_with_a_mention(remote, run_tasks):
    alice = remote.actor("alice")
    deliver_note(
        to=alice,
        content_html="<p>Your comment was removed: it named a private person.</p>",
        in_reply_to="https://remote.example/notes/9",
    )
    run_tasks()
    (request,) = remote.posts()
    assert request.path == "/users/alice/inbox"
    assert request.signature_error is None
    create = request.json()
    note = create["object"]
    assert create["type"] == "Create"
    assert note["type"] == "Note"
    assert note["to"] == [alice.actor_id]
    assert note["cc"] == []
    assert note["tag"] == [{"type": "Mention", "href": alice.actor_id, "name": f"@{alice.handle}"}]
    assert f'href="{alice.url}"' in note["content"]
    assert "private person" in note["content"]
    assert note["inReplyTo"] == "https://remote.example/notes/9"


def test_deliver_note_public_reply_escapes_the_handle(remote, run_tasks):
    alice = remote.actor("alice")
    alice.handle = "<b>alice</b>@x"
    deliver_note(to=alice, content_html="<p>Hi</p>", public=True, note_id="https://n.example/c/1")
    run_tasks()
    note = remote.posts()[0].json()["object"]
    assert note["id"] == "https://n.example/c/1"
    assert note["to"] == [vocab.PUBLIC]
    assert alice.actor_id in note["cc"]
    assert "<b>" not in note["content"]
    assert "&lt;b&gt;" in note["content"]


def test_rotating_the_key_keeps_the_old_one_and_tells_followers(remote, run_tasks):
    follow(remote)
    old = SiteActor.current()
    call_command("federation_rotate_key", verbosity=0)
    new = SiteActor.current()
    assert new.pk != old.pk
    assert new.public_key_pem != old.public_key_pem
    old.refresh_from_db()
    assert old.is_current is False
    assert old.rotated_at is not None
    remote.public_key_pem = new.public_key_pem  # the follower fetched the new key
    run_tasks()
    (request,) = remote.posts()
    assert request.signature_error is None  # signed with the new key
    update = request.json()
    assert update["type"] == "Update"
    assert update["object"]["type"] == "Service"
    assert update["object"]["publicKey"]["publicKeyPem"] == new.public_key_pem


def test_rotate_key_dry_run_changes_nothing(site_actor, capsys):
    call_command("federation_rotate_key", dry_run=True)
    assert SiteActor.objects.count() == 1
    assert "Would make a new key pair" in capsys.readouterr().out


def test_the_key_pair_is_made_once(db):
    first = SiteActor.current()
    assert SiteActor.current().pk == first.pk
    assert first.username == "news"
    assert first.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")


def test_fan_out_writes_the_log_in_one_statement(remote, other_remote, django_assert_num_queries):
    """Guards against a query per follower: read the inboxes, write every log row at once (the
    tasks are queued after the commit, one per inbox)."""
    for n in range(5):
        follow(remote, f"a{n}")
        follow(other_remote, f"b{n}", shared=False)
    with django_assert_num_queries(2):
        deliveries = deliver_to_followers({"id": "https://n.example/a#1", "type": "Create"})
    assert len(deliveries) == 6
    assert all(d.pk for d in deliveries)


def test_a_site_nobody_follows_queues_no_task(run_tasks):
    ArticleFactory()
    assert run_tasks() == 0
