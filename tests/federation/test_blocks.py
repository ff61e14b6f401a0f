"""Moderators block a remote actor or a whole server in the admin; the block is logged and the
inbox refuses the blocked one's next activity."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry

from federation.models import Block, RemoteActor
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def reply(alice, story, suffix=""):
    return alice.activity("mastodon_create_note_reply.json", article=story, object_suffix=suffix)


@pytest.mark.parametrize(
    ("action", "kind"), [("block_actors", "actor"), ("block_domains", "domain")]
)
def test_an_admin_action_blocks_and_the_next_activity_is_refused(
    client, alice, story, moderator, action, kind
):
    inbox = type(client)()  # the remote server has no session
    assert alice.post(inbox, reply(alice, story, "/1")).status_code == 202
    actor = RemoteActor.objects.get()
    response = client.post(
        "/admin/federation/remoteactor/",
        {"action": action, "_selected_action": [actor.pk]},
    )
    assert response.status_code == 302
    block = Block.objects.get()
    assert block.kind == kind
    assert block.value == (actor.actor_id if kind == "actor" else "127.0.0.1")
    assert block.created_by == moderator
    entry = LogEntry.objects.get(object_id=str(block.pk))
    assert (entry.user, entry.action_flag) == (moderator, ADDITION)
    assert alice.post(inbox, reply(alice, story, "/2")).status_code == 403


def test_a_block_added_in_the_admin_records_who(client, moderator):
    response = client.post(
        "/admin/federation/block/add/",
        {"kind": "domain", "value": " Spam.Example ", "reason": "A spam server"},
    )
    assert response.status_code == 302
    block = Block.objects.get()
    assert (block.value, block.created_by) == ("spam.example", moderator)
    assert LogEntry.objects.filter(object_id=str(block.pk), action_flag=ADDITION).exists()


def test_admin_pages_open(client, moderator, alice, story):
    alice.post(type(client)(), reply(alice, story))
    for url in (
        "/admin/federation/block/",
        "/admin/federation/remoteactor/",
        "/admin/federation/inboxactivity/",
        f"/admin/federation/remoteactor/{RemoteActor.objects.get().pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
