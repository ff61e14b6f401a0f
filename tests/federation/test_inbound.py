"""What each activity does once the worker has it: replies become comments in the one
moderated thread (through the comments services), edits, deletes, boosts and favourites."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from comments.models import Comment, CommentRevision, ModerationAction, WatchedWord
from federation import vocab
from federation.models import InboxActivity, Reaction, RemoteComment
from tests.factories import CommentFactory, relaxed_moderation

pytestmark = pytest.mark.django_db


def deliver(client, run_tasks, identity, activity):
    response = identity.post(client, activity)
    assert response.status_code == 202, response.content
    run_tasks()
    return InboxActivity.objects.get(activity_id=activity["id"])


def reply(alice, story, suffix=""):
    return alice.activity("mastodon_create_note_reply.json", article=story, object_suffix=suffix)


def test_a_reply_becomes_a_comment_with_its_provenance(client, run_tasks, alice, story):
    relaxed_moderation()
    stored = deliver(client, run_tasks, alice, reply(alice, story))
    assert stored.state == "done"
    comment = Comment.objects.get()
    assert comment.article == story
    assert comment.status == "published"
    # The mention of this site is dropped; the hashtag stays a nofollow ugc link.
    assert comment.body_html == (
        '<p>Good reporting, thank you. <a href="'
        f'{alice.server.origin}/tags/privacy" rel="nofollow ugc noopener">#privacy</a></p>\n'
    )
    host = alice.server.origin.removeprefix("http://")
    assert comment.author.public_name == f"Alice Example (@alice@{host})"
    remote = RemoteComment.objects.get()
    assert remote.comment == comment
    assert remote.url == f"{alice.server.origin}/@alice/113001"
    assert (remote.handle, remote.software) == (f"alice@{host}", "mastodon")
    story.refresh_from_db()
    assert story.comment_count == 1


def test_the_remote_author_is_a_shadow_account_that_cannot_sign_in(client, run_tasks, alice, story):
    relaxed_moderation()
    deliver(client, run_tasks, alice, reply(alice, story))
    user = Comment.objects.get().author
    assert not user.has_usable_password()
    assert not user.is_active
    assert user.email == ""
    assert user.remote_author.remote_actor.actor_id == alice.actor_id
    assert get_user_model().objects.count() == 1


def test_a_first_reply_is_held_like_any_first_comment(client, run_tasks, alice, story):
    deliver(client, run_tasks, alice, reply(alice, story))  # default rules hold first comments
    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert ModerationAction.objects.get(comment=comment).action == "auto_held"
    story.refresh_from_db()
    assert story.comment_count == 0


def test_screening_holds_a_remote_reply(client, run_tasks, alice, story):
    relaxed_moderation()
    WatchedWord.objects.create(pattern="reporting", action=WatchedWord.Action.HOLD)
    deliver(client, run_tasks, alice, reply(alice, story))
    assert Comment.objects.get().status == "pending"


def test_a_banned_remote_author_is_refused(client, run_tasks, alice, story):
    relaxed_moderation()
    deliver(client, run_tasks, alice, reply(alice, story, "/1"))
    author = Comment.objects.get().author
    author.is_banned = True
    author.save()
    stored = deliver(client, run_tasks, alice, reply(alice, story, "/2"))
    assert stored.state == "ignored"
    assert "comment rules" in stored.outcome
    assert Comment.objects.count() == 1


def test_a_note_delivered_twice_makes_one_comment(client, run_tasks, alice, story):
    relaxed_moderation()
    first = reply(alice, story)
    deliver(client, run_tasks, alice, first)
    again = reply(alice, story)
    again["id"] += "-redelivered"  # another Create of the same note
    stored = deliver(client, run_tasks, alice, again)
    assert Comment.objects.count() == 1
    assert stored.outcome.startswith("already comment")


def test_replies_to_a_comment_and_to_a_remote_note_nest(client, run_tasks, fediverse, alice, story):
    relaxed_moderation()
    local = CommentFactory(article=story)
    to_local = reply(alice, story, "/1")
    to_local["object"]["inReplyTo"] = vocab.absolute(local.get_absolute_url())
    deliver(client, run_tasks, alice, to_local)
    bob = fediverse.add_actor("bob", key=1)
    to_alice = bob.activity("mastodon_create_note_reply.json", object_suffix="/b")
    to_alice["object"]["inReplyTo"] = to_local["object"]["id"]
    deliver(client, run_tasks, bob, to_alice)
    alices = RemoteComment.objects.get(object_id=to_local["object"]["id"]).comment
    bobs = RemoteComment.objects.get(object_id=to_alice["object"]["id"]).comment
    assert alices.parent == local
    assert bobs.parent == alices
    assert bobs.article == story


@pytest.mark.parametrize(
    "in_reply_to",
    ["", "https://elsewhere.example/notes/1", "/articles/unknown/", "/comments/999/", "/about/"],
)
def test_replies_to_anything_else_are_ignored(client, run_tasks, alice, story, in_reply_to):
    activity = reply(alice, story)
    target = vocab.absolute(in_reply_to) if in_reply_to.startswith("/") else in_reply_to
    activity["object"]["inReplyTo"] = target
    stored = deliver(client, run_tasks, alice, activity)
    assert stored.state == "ignored"
    assert not Comment.objects.exists()


def test_a_direct_message_is_never_a_comment(client, run_tasks, alice, story):
    activity = reply(alice, story)
    activity["object"]["to"] = [vocab.actor_id()]
    activity["object"]["cc"] = []
    stored = deliver(client, run_tasks, alice, activity)
    assert stored.state == "ignored"
    assert "direct message" in stored.outcome
    assert not Comment.objects.exists()


def test_a_wordpress_comment_becomes_a_comment(client, run_tasks, alice, story):
    relaxed_moderation()
    activity = alice.activity("wordpress_create_note_comment.json", article=story)
    deliver(client, run_tasks, alice, activity)
    comment = Comment.objects.get()
    assert "<strong>well put</strong>" in comment.body_html
    assert comment.remote.url.endswith("#comment-57")


def test_an_update_is_an_edit_with_history(client, run_tasks, alice, story):
    relaxed_moderation()
    deliver(client, run_tasks, alice, reply(alice, story))
    update = alice.activity("mastodon_update_note.json", article=story)
    stored = deliver(client, run_tasks, alice, update)
    assert stored.state == "done", stored.outcome
    comment = Comment.objects.get()
    assert "Edited: fixed a typo" in comment.body_html
    assert comment.edited_at is not None
    assert "Good reporting" in CommentRevision.objects.get(comment=comment).body


def test_someone_else_cannot_update_or_delete_a_note(client, run_tasks, fediverse, alice, story):
    relaxed_moderation()
    deliver(client, run_tasks, alice, reply(alice, story))
    mallory = fediverse.add_actor("mallory", key=1)
    update = alice.activity("mastodon_update_note.json", article=story)
    update["actor"] = mallory.actor_id
    assert deliver(client, run_tasks, mallory, update).state == "ignored"
    delete = alice.activity("mastodon_delete_note.json")
    delete["actor"] = mallory.actor_id
    assert deliver(client, run_tasks, mallory, delete).state == "ignored"
    comment = Comment.objects.get()
    assert "Good reporting" in comment.body_html
    assert not comment.is_deleted


def test_a_delete_removes_the_comment_as_an_author_delete(client, run_tasks, alice, story):
    relaxed_moderation()
    deliver(client, run_tasks, alice, reply(alice, story))
    deliver(client, run_tasks, alice, alice.activity("mastodon_delete_note.json"))
    comment = Comment.objects.get()
    assert comment.is_deleted
    assert comment.body == ""
    assert "Good reporting" in CommentRevision.objects.get(comment=comment).body
    story.refresh_from_db()
    assert story.comment_count == 0


def test_deleting_the_actor_removes_all_their_comments(client, run_tasks, alice, story):
    relaxed_moderation()
    for n in range(3):
        activity = reply(alice, story, f"/{n}")
        activity["object"]["content"] = f"<p>Point number {n}</p>"
        deliver(client, run_tasks, alice, activity)
    stored = deliver(client, run_tasks, alice, alice.activity("mastodon_delete_actor.json"))
    assert stored.outcome == "actor deleted: 3 comments removed"
    assert Comment.objects.filter(deleted_at__isnull=False).count() == 3


def test_likes_and_boosts_are_counted_once_and_undone(client, run_tasks, fediverse, alice, story):
    like = alice.activity("mastodon_like.json", article=story)
    deliver(client, run_tasks, alice, like)
    again = dict(like, id=like["id"] + "-again")
    deliver(client, run_tasks, alice, again)
    deliver(client, run_tasks, alice, alice.activity("mastodon_announce.json", article=story))
    bob = fediverse.add_actor("bob", key=1)
    deliver(client, run_tasks, bob, bob.activity("mastodon_announce.json", article=story))
    assert Reaction.objects.filter(kind="like").count() == 1
    assert Reaction.objects.filter(kind="announce").count() == 2
    page = client.get(story.get_absolute_url())
    assert "On the fediverse: 2 boosts · 1 favourite" in page.content.decode()
    deliver(client, run_tasks, alice, alice.activity("mastodon_undo_like.json", article=story))
    assert not Reaction.objects.filter(kind="like").exists()
    page = client.get(story.get_absolute_url())  # the page cache was renewed
    assert "On the fediverse: 2 boosts · 0 favourites" in page.content.decode()


def test_a_like_of_something_else_is_ignored(client, run_tasks, alice):
    like = alice.activity("mastodon_like.json")
    assert deliver(client, run_tasks, alice, like).state == "ignored"
    assert not Reaction.objects.exists()


def test_a_processed_activity_is_not_processed_twice(client, run_tasks, alice, story):
    from federation.inbound import process_inbox_activity

    relaxed_moderation()
    stored = deliver(client, run_tasks, alice, reply(alice, story))
    assert process_inbox_activity.call(stored.pk) == "already processed"
    assert Comment.objects.count() == 1


def test_follow_and_undo_follow_use_the_follower_services(client, run_tasks, alice):
    from federation.models import Delivery, Follower

    follow = alice.activity("mastodon_follow.json")
    assert deliver(client, run_tasks, alice, follow).outcome == "follow accepted"
    assert Follower.objects.get().remote_actor.actor_id == alice.actor_id
    accept = Delivery.objects.get(activity_type="Accept")
    assert accept.activity["object"]["id"] == follow["id"]
    undo = alice.activity("mastodon_undo_follow.json")
    assert deliver(client, run_tasks, alice, undo).outcome == "unfollowed"
    assert not Follower.objects.exists()


def test_a_statement_of_reasons_reaches_the_remote_author_as_a_direct_note(
    client, run_tasks, alice, story
):
    from federation.models import Delivery
    from notices.models import StatementOfReasons

    deliver(client, run_tasks, alice, reply(alice, story))  # held: their first comment here
    statement = StatementOfReasons.objects.get()
    note = Delivery.objects.get(activity_type="Create").activity["object"]
    assert note["to"] == [alice.actor_id]  # direct: to them alone
    assert note["inReplyTo"] == reply(alice, story)["object"]["id"]
    assert str(statement.puid) in note["content"]
    assert "Your reply to “Ports reopen after the storm” was held" in note["content"]
