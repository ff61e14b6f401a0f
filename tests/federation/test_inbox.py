"""The inbox's answers: 202 for a signed activity (stored once, processed by the worker),
400/401/403/413/429 for the rest, and never a 5xx, whatever arrives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client

from federation.models import Block, InboxActivity, RemoteActor

NAUGHTY = Path(__file__).resolve().parents[1] / "data" / "naughty-strings.txt"
pytestmark = pytest.mark.django_db


def reply(alice, story, suffix=""):
    return alice.activity("mastodon_create_note_reply.json", article=story, object_suffix=suffix)


def test_a_signed_reply_is_accepted_stored_and_queued(client, alice, story):
    response = alice.post(client, reply(alice, story))
    assert response.status_code == 202
    stored = InboxActivity.objects.get()
    assert (stored.activity_type, stored.actor_id, stored.state) == (
        "Create",
        alice.actor_id,
        "pending",
    )
    assert (
        RemoteActor.objects.get().handle == f"alice@{alice.server.origin.removeprefix('http://')}"
    )


def test_the_actors_own_inbox_answers_too(client, alice, story):
    assert (
        alice.post(client, reply(alice, story), path="/federation/actor/inbox").status_code == 202
    )


def test_a_redelivery_is_stored_once(client, alice, story):
    activity = reply(alice, story)
    assert alice.post(client, activity).status_code == 202
    later = datetime.now(UTC) + timedelta(seconds=1)  # a new signature, the same activity
    assert alice.post(client, activity, now=later).status_code == 202
    assert InboxActivity.objects.count() == 1


def test_the_inbox_needs_no_csrf_token(alice, story):
    strict = Client(enforce_csrf_checks=True)
    assert alice.post(strict, reply(alice, story)).status_code == 202


def test_get_is_not_allowed(client):
    assert client.get("/federation/inbox").status_code == 405


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"\xff\xfe", b"[]", b"{}", b'{"type": "Create"}', b"[" * 100_000],
)
def test_malformed_bodies_get_400(client, alice, body):
    assert alice.post(client, None, body=body).status_code == 400


def test_naughty_strings_never_get_a_5xx(client, alice, story, settings):
    settings.FEDERATION_INBOX_ADDRESS_RATE_LIMIT = 0  # off: one address sends them all
    lines = [line for line in NAUGHTY.read_text(encoding="utf-8").splitlines() if line]
    for line in lines:  # as the body, and in every field the inbox reads (unsigned: 4xx)
        fields = {"id": line, "type": line, "actor": line, "object": line}
        for body in (line.encode(), json.dumps(fields).encode()):
            response = client.post("/federation/inbox", data=body, content_type="text/plain")
            assert response.status_code in {400, 401}, (line, response.status_code)
    for start in range(0, len(lines), 20):  # signed, in the content the worker reads
        activity = reply(alice, story, f"/{start}")
        activity["object"]["content"] = "<p>".join(lines[start : start + 20])
        assert alice.post(client, activity).status_code == 202


def test_unsigned_gets_401(client, alice, story):
    response = client.post(
        "/federation/inbox", data=json.dumps(reply(alice, story)), content_type="application/json"
    )
    assert response.status_code == 401
    assert not InboxActivity.objects.exists()


def test_a_wrong_key_gets_401(client, alice, story):
    response = alice.post(client, reply(alice, story), signing_key=1 - alice.key)
    assert response.status_code == 401
    assert response.json()["error"] == "The signature does not match the request."


def test_a_digest_that_does_not_match_the_body_gets_401(client, alice, story):
    response = alice.post(client, reply(alice, story), headers={"Digest": "SHA-256=AAAA"})
    assert response.status_code == 401
    assert "Digest" in response.json()["error"]


@pytest.mark.parametrize("hours", [-2, 2])
def test_a_date_outside_the_skew_gets_401(client, alice, story, hours):
    when = datetime.now(UTC) + timedelta(hours=hours)
    response = alice.post(client, reply(alice, story), now=when)
    assert response.status_code == 401
    assert "Date" in response.json()["error"]


def test_the_skew_is_a_setting(client, alice, story, settings):
    settings.FEDERATION_SIGNATURE_MAX_SKEW = 3 * 3600
    when = datetime.now(UTC) - timedelta(hours=2)
    assert alice.post(client, reply(alice, story), now=when).status_code == 202


def test_a_replayed_signature_gets_401(client, alice, story):
    activity = reply(alice, story)
    body = json.dumps(activity).encode()
    first = alice.post(client, None, body=body)
    assert first.status_code == 202
    signature = first.wsgi_request.headers["Signature"]
    date = first.wsgi_request.headers["Date"]
    again = alice.post(client, None, body=body, headers={"Signature": signature, "Date": date})
    assert again.status_code == 401
    assert again.json()["error"] == "This signature was already used."


def test_the_key_is_fetched_once_and_cached(client, alice, story):
    alice.post(client, reply(alice, story, "/1"))
    alice.post(client, reply(alice, story, "/2"))
    assert alice.server.hits["/users/alice"] == 1


def test_a_rotated_key_is_refetched_once(client, alice, story):
    assert alice.post(client, reply(alice, story, "/1")).status_code == 202
    alice.rotate_key()
    assert alice.post(client, reply(alice, story, "/2")).status_code == 202
    assert alice.server.hits["/users/alice"] == 2
    assert (
        RemoteActor.objects.get().public_key_pem.strip()
        == alice.server.documents["/users/alice"]["publicKey"]["publicKeyPem"].strip()
    )


def test_a_bad_signature_refetches_once_then_gets_401(client, alice, story):
    alice.post(client, reply(alice, story, "/1"))
    response = alice.post(client, reply(alice, story, "/2"), signing_key=1 - alice.key)
    assert response.status_code == 401
    assert alice.server.hits["/users/alice"] == 2  # the first fetch and one refetch


def test_an_unreachable_key_gets_401(client, alice, story):
    del alice.server.documents["/users/alice"]
    assert alice.post(client, reply(alice, story)).status_code == 401


def test_keys_from_refused_addresses_are_not_fetched(client, alice, story, settings):
    settings.FEDERATION_ALLOWED_HOSTS = []  # the SSRF guard refuses loopback again
    assert alice.post(client, reply(alice, story)).status_code == 401
    assert "/users/alice" not in alice.server.hits


def test_the_signer_must_be_the_actor(client, fediverse, alice, story):
    mallory = fediverse.add_actor("mallory", key=1)
    activity = reply(alice, story)  # claims to be Alice's, signed by Mallory
    response = mallory.post(client, activity)
    assert response.status_code == 401
    assert response.json()["error"] == "The signer is not the activity's actor."


def test_a_blocked_actor_gets_403(client, alice, story):
    Block.objects.create(kind=Block.Kind.ACTOR, value=alice.actor_id, reason="spam")
    assert alice.post(client, reply(alice, story)).status_code == 403
    assert "/users/alice" not in alice.server.hits  # refused before any fetch


def test_a_blocked_domain_gets_403(client, alice, story):
    Block.objects.create(kind=Block.Kind.DOMAIN, value="127.0.0.1", reason="a spam server")
    assert alice.post(client, reply(alice, story)).status_code == 403


def test_oversized_bodies_get_413(client, alice, story, settings):
    settings.FEDERATION_INBOX_MAX_BYTES = 2048
    activity = reply(alice, story)
    activity["object"]["content"] = "x" * 4096
    assert alice.post(client, activity).status_code == 413


def test_a_lying_content_length_is_not_trusted(alice, story, settings, rf):
    from federation.inbox import read_body

    settings.FEDERATION_INBOX_MAX_BYTES = 10
    request = rf.post("/federation/inbox", data=b"x" * 100, content_type="application/json")
    request.META["CONTENT_LENGTH"] = "5"
    assert read_body(request, 10) is None


def test_a_busy_domain_gets_429_with_retry_after(client, alice, story, settings):
    settings.FEDERATION_INBOX_RATE_LIMIT = 2
    responses = [alice.post(client, reply(alice, story, f"/{n}")) for n in range(3)]
    assert [r.status_code for r in responses] == [202, 202, 429]
    assert 1 <= int(responses[2]["Retry-After"]) <= settings.FEDERATION_INBOX_RATE_WINDOW
    assert InboxActivity.objects.count() == 2


def test_requests_that_only_name_a_server_do_not_spend_its_allowance(
    client, alice, story, settings
):
    """Unsigned or forged activities claiming alice's server, from another address, are refused
    with 401 and leave her server's own signed activities untouched."""
    settings.FEDERATION_INBOX_RATE_LIMIT = 2
    forged = json.dumps(reply(alice, story, "/forged"))
    for _ in range(5):
        response = client.post(
            "/federation/inbox",
            data=forged,
            content_type="application/activity+json",
            REMOTE_ADDR="203.0.113.9",
        )
        assert response.status_code == 401
    codes = [alice.post(client, reply(alice, story, f"/{n}")).status_code for n in range(2)]
    assert codes == [202, 202]


def test_one_address_sending_too_much_gets_429_before_the_body_is_read(
    client, alice, story, settings
):
    settings.FEDERATION_INBOX_ADDRESS_RATE_LIMIT = 2
    codes = [
        client.post("/federation/inbox", data=b"not json", content_type="text/plain").status_code
        for _ in range(3)
    ]
    assert codes == [400, 400, 429]
    other = client.post(
        "/federation/inbox", data=b"not json", content_type="text/plain", REMOTE_ADDR="192.0.2.7"
    )
    assert other.status_code == 400  # another address has its own count


def test_a_server_cannot_speak_for_another_servers_actor(client, fediverse, alice, story):
    """An actor document naming an actor elsewhere is refused, and nothing is stored."""
    document = fediverse.documents["/users/alice"]
    document["id"] = "https://mastodon.example/users/bob"
    assert alice.post(client, reply(alice, story)).status_code == 401
    assert not RemoteActor.objects.exists()
