"""Every fixture of a real-world shape (tests/federation/fixtures/README.md) parses to the
activity the worker expects, and malformed JSON is refused with an ActivityError."""

import contextlib
import json
from pathlib import Path

import pytest

from federation.activities import ActivityError, as_id, as_list, parse_activity

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NAUGHTY = Path(__file__).resolve().parents[1] / "data" / "naughty-strings.txt"
ARTICLE = "https://news.example/articles/example-story/"
ALICE = "https://mastodon.example/users/alice"


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_every_fixture_parses():
    names = sorted(p.name for p in FIXTURES.glob("*.json"))
    assert len(names) == 11
    for name in names:
        activity = parse_activity(load(name))
        assert activity.id, name
        assert activity.actor, name
        assert activity.object_id, name


def test_mastodon_reply():
    activity = parse_activity(load("mastodon_create_note_reply.json"))
    assert (activity.type, activity.actor) == ("Create", ALICE)
    note = activity.note
    assert note.type == "Note"
    assert note.in_reply_to == ARTICLE
    assert note.url == "https://mastodon.example/@alice/113001"
    assert note.attributed_to == ALICE
    assert "Good reporting" in note.content
    assert [t.type for t in note.tags] == ["Mention", "Hashtag"]
    assert activity.is_public


def test_mastodon_update_delete():
    update = parse_activity(load("mastodon_update_note.json"))
    assert update.type == "Update"
    assert update.note.id == "https://mastodon.example/users/alice/statuses/113001"
    assert "Edited" in update.note.content
    delete = parse_activity(load("mastodon_delete_note.json"))
    assert (delete.type, delete.object_type, delete.note) == ("Delete", "Tombstone", None)
    assert delete.object_id == update.note.id
    actor_delete = parse_activity(load("mastodon_delete_actor.json"))
    assert actor_delete.object_id == actor_delete.actor == ALICE


def test_reactions_and_follows():
    like = parse_activity(load("mastodon_like.json"))
    boost = parse_activity(load("mastodon_announce.json"))
    assert (like.type, like.object_id) == ("Like", ARTICLE)
    assert (boost.type, boost.object_id) == ("Announce", ARTICLE)
    follow = parse_activity(load("mastodon_follow.json"))
    assert follow.type == "Follow"
    undo = parse_activity(load("mastodon_undo_follow.json"))
    assert undo.type == "Undo"
    assert (undo.inner.type, undo.inner.id) == ("Follow", follow.id)
    undo_like = parse_activity(load("mastodon_undo_like.json"))
    assert (undo_like.inner.type, undo_like.inner.object_id) == ("Like", ARTICLE)


def test_wordpress_shapes():
    comment = parse_activity(load("wordpress_create_note_comment.json"))
    assert comment.note.url == "https://blog.example/2024/05/03/a-post/#comment-57"
    assert comment.note.in_reply_to == ARTICLE
    post = parse_activity(load("wordpress_create_article.json"))
    assert post.note.type == "Article"
    assert post.note.name == "Our take on the story"
    assert [t.name for t in post.note.tags] == ["#media"]


def test_content_map_used_when_content_missing():
    data = load("mastodon_create_note_reply.json")
    del data["object"]["content"]
    assert "Good reporting" in parse_activity(data).note.content


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "Create",
        {},
        {"type": "Create"},
        {"type": "Create", "id": "x", "actor": "y"},
        {"type": 3, "id": "x", "actor": "y", "object": "z"},
        {"type": "Create", "id": {"no": "id"}, "actor": "y", "object": "z"},
        {"type": "Create", "id": "x", "actor": ["", None], "object": "z"},
        {"type": "Create", "id": "x" * 600, "actor": "y", "object": "z"},
        {"type": "Create", "id": "x", "actor": "y", "object": {"type": "Note"}},
    ],
)
def test_malformed_activities_are_refused(data):
    with pytest.raises(ActivityError):
        parse_activity(data)


def test_naughty_strings_never_crash_the_parser():
    for line in NAUGHTY.read_text(encoding="utf-8").splitlines():
        for data in (line, {"type": line, "id": line, "actor": line, "object": line}):
            with contextlib.suppress(ActivityError):
                parse_activity(data)


def test_references_in_every_spelling():
    assert as_id({"id": "a"}) == as_id(["a"]) == as_id("a") == "a"
    assert as_id({"href": "b"}) == "b"
    assert as_id(7) == as_id(None) == as_id([]) == ""
    assert as_list("a") == ["a"]
    assert as_list(["a", {"id": "b"}, 3]) == ["a", "b"]
