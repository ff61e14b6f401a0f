"""Answers go back: a reader's reply to a remote comment offers "Also send to @user@host"
(ticked by default); once the reply is published the site's actor sends it as a Note
mentioning them, in reply to their note. Held replies wait for a moderator."""

import pytest

from comments.models import Comment
from comments.services import comment_set_status
from federation.models import Delivery, FederatedAnswer
from tests.factories import UserFactory, relaxed_moderation

pytestmark = pytest.mark.django_db


@pytest.fixture
def remote_reply(client, run_tasks, alice, story):
    relaxed_moderation()
    activity = alice.activity("mastodon_create_note_reply.json", article=story)
    assert alice.post(client, activity).status_code == 202
    run_tasks()
    return Comment.objects.get()


@pytest.fixture
def reader(client):
    user = UserFactory(display_name="Ada")
    client.force_login(user)
    return user


def post_reply(client, comment, **extra):
    data = {"body": "Thanks, Alice!", "parent": comment.pk, "client_token": "t1", **extra}
    return client.post(f"/comments/articles/{comment.article_id}/post/", data)


def test_the_reply_form_offers_to_send_it_ticked(client, remote_reply, reader):
    html = client.get(f"/comments/{remote_reply.pk}/reply/").content.decode()
    handle = remote_reply.remote.handle
    assert f"Also send to @{handle}" in html
    assert 'name="send_to_fediverse" value="1"' in html
    assert "checked" in html.split('name="send_to_fediverse"')[1].split(">")[0]


def test_a_native_comment_offers_nothing(client, reader, story):
    native = Comment.objects.create(article=story, author=UserFactory(), body="Local")
    html = client.get(f"/comments/{native.pk}/reply/").content.decode()
    assert "send_to_fediverse" not in html


def test_a_published_reply_is_delivered_as_a_note(client, run_tasks, remote_reply, reader, alice):
    assert post_reply(client, remote_reply, send_to_fediverse="1").status_code == 302
    run_tasks()
    answer = Comment.objects.get(author=reader)
    create = Delivery.objects.get(activity_type="Create")
    note = create.activity["object"]
    assert note["inReplyTo"] == remote_reply.remote.object_id
    assert note["tag"][0]["href"] == alice.actor_id
    assert "Thanks, Alice!" in note["content"]
    assert note["id"].endswith(answer.get_absolute_url())
    assert FederatedAnswer.objects.get().sent_at is not None
    answer.save()  # a later save sends nothing again
    run_tasks()
    assert Delivery.objects.filter(activity_type="Create").count() == 1


def test_an_unticked_reply_stays_here(client, run_tasks, remote_reply, reader):
    assert post_reply(client, remote_reply).status_code == 302
    run_tasks()
    assert Comment.objects.filter(author=reader).exists()
    assert not Delivery.objects.filter(activity_type="Create").exists()


def test_a_held_reply_goes_once_a_moderator_publishes_it(client, run_tasks, remote_reply, reader):
    relaxed_moderation(first_comment_held=True)
    post_reply(client, remote_reply, send_to_fediverse="1")
    run_tasks()
    answer = Comment.objects.get(author=reader)
    assert answer.status == "pending"
    assert not Delivery.objects.filter(activity_type="Create").exists()
    moderator = UserFactory(is_staff=True, is_superuser=True)
    comment_set_status(comment=answer, status="published", moderator=moderator)
    run_tasks()
    assert Delivery.objects.filter(activity_type="Create").count() == 1
