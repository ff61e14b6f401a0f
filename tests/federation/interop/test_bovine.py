"""Interoperability with an ActivityPub implementation we did not write: bovine, as the remote
server (conftest.py, peer.py), talking to the site served by live_server over loopback.

bovine finds the site's actor through WebFinger, fetches an article as ActivityPub JSON, follows
the site, checks the signatures of what the site delivers to it, and signs the replies, edits and
deletions it sends, as Mastodon does. The site's worker runs as production runs it (run_tasks).
"""

import uuid

import pytest
from django.urls import reverse

from articles.services import article_publish
from comments.models import Comment
from federation import vocab
from tests.factories import ArticleFactory, TagFactory, UserFactory, relaxed_moderation

pytestmark = pytest.mark.django_db(transaction=True)

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


@pytest.fixture
def site(live_server, settings):
    """The site as the fediverse sees it: ids built from the live server's address, and the
    peer on 127.0.0.1 listed as an allowed host (the SSRF guard refuses loopback otherwise)."""
    settings.SITE_URL = live_server.url
    settings.FEDERATION_ALLOWED_HOSTS = ["127.0.0.1"]
    relaxed_moderation()
    return live_server


@pytest.fixture
def article(site):
    return ArticleFactory(
        title="Ferries run again after the storm", tags=[TagFactory(name="weather")]
    )


def new_id(remote_server, kind: str) -> str:
    return f"{remote_server.base}/{kind}/{uuid.uuid4().hex}"


def received(remote_server, activity_type: str) -> list[dict]:
    return [r for r in remote_server.received() if r["activity"]["type"] == activity_type]


def note(remote_server, in_reply_to: str, html: str, *, note_id: str | None = None) -> dict:
    alice = remote_server.actor_id("alice")
    return {
        "id": note_id or new_id(remote_server, "notes"),
        "type": "Note",
        "attributedTo": alice,
        "inReplyTo": in_reply_to,
        "content": html,
        "published": "2026-12-05T10:00:00Z",
        "to": [PUBLIC],
        "cc": [f"{alice}/followers"],
    }


def create(remote_server, obj: dict) -> dict:
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{obj['id']}/activity",
        "type": "Create",
        "actor": obj["attributedTo"],
        "object": obj,
        "to": obj["to"],
    }


def test_webfinger_finds_the_actor_and_an_article_reads_as_activitypub(remote_server, article):
    href = remote_server.webfinger(f"acct:news@{vocab.host()}", server=vocab.absolute(""))
    assert href == vocab.actor_id()

    actor = remote_server.fetch(href)
    assert actor["status"] == 200
    assert actor["json"]["inbox"] == vocab.inbox_url()
    assert "BEGIN PUBLIC KEY" in actor["json"]["publicKey"]["publicKeyPem"]

    fetched = remote_server.fetch(vocab.absolute(article.get_absolute_url()))
    assert fetched["status"] == 200
    assert fetched["content_type"].startswith("application/activity+json")
    assert "accept" in fetched["vary"].lower()
    assert fetched["json"]["type"] == "Article"
    assert fetched["json"]["name"] == "Ferries run again after the storm"
    assert {"type": "Hashtag", "name": "#weather"}.items() <= fetched["json"]["tag"][0].items()


def test_follow_is_accepted_and_publishing_delivers_a_create_bovine_verifies(
    remote_server, site, run_tasks
):
    alice = remote_server.actor_id("alice")
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": new_id(remote_server, "follows"),
        "type": "Follow",
        "actor": alice,
        "object": vocab.actor_id(),
    }
    assert remote_server.send(vocab.inbox_url(), follow)["status"] == 202
    run_tasks()

    [accept] = received(remote_server, "Accept")
    assert accept["signer"] == vocab.actor_id()  # bovine fetched our key and checked it
    assert accept["activity"]["object"]["id"] == follow["id"]

    draft = ArticleFactory(title="Harbour reopens", status="draft")
    article_publish(article=draft)
    run_tasks()

    [delivered] = received(remote_server, "Create")
    assert delivered["signer"] == vocab.actor_id()
    assert delivered["path"] == "/inbox"  # the follower's shared inbox
    assert delivered["activity"]["object"]["type"] == "Article"
    assert delivered["activity"]["object"]["name"] == "Harbour reopens"


def test_a_signed_reply_becomes_a_comment_and_edits_and_deletions_are_honoured(
    remote_server, article, client, run_tasks
):
    url = vocab.absolute(article.get_absolute_url())
    reply = note(remote_server, url, "<p>The 7:40 ferry left on time from the north pier.</p>")
    assert (
        remote_server.send(vocab.shared_inbox_url(), create(remote_server, reply))["status"] == 202
    )
    run_tasks()

    comment = Comment.objects.get(article=article)
    assert comment.status == Comment.Status.PUBLISHED
    page = client.get(article.get_absolute_url()).content.decode()
    assert "The 7:40 ferry left on time from the north pier." in page
    assert reply["id"] in page  # the link to the original

    edited = {**reply, "content": "<p>The 7:40 ferry left ten minutes late.</p>"}
    update = {**create(remote_server, edited), "type": "Update", "id": new_id(remote_server, "u")}
    assert remote_server.send(vocab.shared_inbox_url(), update)["status"] == 202
    run_tasks()
    comment.refresh_from_db()
    assert "ten minutes late" in comment.body
    assert "ten minutes late" in client.get(article.get_absolute_url()).content.decode()

    delete = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": new_id(remote_server, "deletes"),
        "type": "Delete",
        "actor": reply["attributedTo"],
        "object": {"id": reply["id"], "type": "Tombstone"},
    }
    assert remote_server.send(vocab.shared_inbox_url(), delete)["status"] == 202
    run_tasks()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "ten minutes late" not in page


def test_a_reply_is_held_when_moderation_says_so(remote_server, article, client, run_tasks):
    relaxed_moderation(first_comment_held=True)
    url = vocab.absolute(article.get_absolute_url())
    reply = note(remote_server, url, "<p>A first comment from a new account.</p>")
    assert (
        remote_server.send(vocab.shared_inbox_url(), create(remote_server, reply))["status"] == 202
    )
    run_tasks()

    comment = Comment.objects.get(article=article)
    assert comment.status == Comment.Status.PENDING
    assert "A first comment" not in client.get(article.get_absolute_url()).content.decode()


def test_a_bad_signature_is_refused(remote_server, article, run_tasks):
    url = vocab.absolute(article.get_absolute_url())
    forged = create(remote_server, note(remote_server, url, "<p>Forged.</p>"))
    answer = remote_server.send(vocab.shared_inbox_url(), forged, tamper=True)
    assert answer["status"] == 401
    run_tasks()
    assert not Comment.objects.filter(article=article).exists()


def test_a_local_readers_answer_is_delivered_back(remote_server, article, client, run_tasks):
    url = vocab.absolute(article.get_absolute_url())
    reply = note(remote_server, url, "<p>Is the night ferry running too?</p>")
    remote_server.send(vocab.shared_inbox_url(), create(remote_server, reply))
    run_tasks()
    remote_comment = Comment.objects.get(article=article)

    reader = UserFactory(display_name="Ada")
    client.force_login(reader)
    answer = client.post(
        reverse("comments:reply", kwargs={"pk": remote_comment.pk}),
        {"body": "Yes, from 22:00.", "client_token": "", "send_to_remote": "on"},
    )
    assert answer.status_code == 302
    run_tasks()

    [delivered] = received(remote_server, "Create")
    assert delivered["signer"] == vocab.actor_id()
    assert delivered["path"] == "/users/alice/inbox"
    sent = delivered["activity"]["object"]
    assert sent["type"] == "Note"
    assert sent["inReplyTo"] == reply["id"]
    assert "Yes, from 22:00." in sent["content"]
    assert {"type": "Mention", "href": remote_server.actor_id("alice")}.items() <= sent["tag"][
        0
    ].items()
