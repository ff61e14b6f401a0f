"""Finding 6: an edit goes through the screening a new comment gets, and a comment a moderator
has decided on keeps the text they judged."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Comment, ModerationAction

pytestmark = pytest.mark.django_db

SPAM = "Cheap pills at [shop](https://pills.example) and [more](https://pills.example/more)"


def _count(article) -> int:
    return Article.objects.get(pk=article.pk).comment_count


def test_edit_after_approval_is_refused(rules, article, reader, superuser):
    """Finding 6: a first comment approved by a moderator cannot then be edited into spam."""
    rules.first_comment_held = True
    rules.save()
    comment = services.comment_create(article=article, author=reader, body="Hello, first post.")
    assert comment.status == Comment.Status.PENDING
    services.comment_set_status(
        comment=comment, status=Comment.Status.PUBLISHED, moderator=superuser
    )

    assert not services.can_edit(comment, reader)
    with pytest.raises(services.EditLocked, match="A moderator has reviewed this comment"):
        services.comment_edit(comment=comment, editor=reader, body=SPAM)
    comment.refresh_from_db()
    assert comment.body == "Hello, first post."
    assert "pills" not in comment.body_html
    assert comment.edited_at is None


@pytest.mark.parametrize("status", ["hidden", "spam", "removed"])
def test_edit_after_any_moderator_decision_is_refused(rules, article, reader, superuser, status):
    """Finding 6: taking a comment down is a decision too: no rewording it afterwards."""
    comment = services.comment_create(article=article, author=reader, body="Original words.")
    services.comment_set_status(comment=comment, status=status, moderator=superuser)
    with pytest.raises(services.EditLocked):
        services.comment_edit(comment=comment, editor=reader, body="Harmless now, honest.")
    comment.refresh_from_db()
    assert comment.body == "Original words."


def test_pinned_comment_cannot_be_edited(rules, article, reader, superuser):
    """Finding 6: an editor's pick is shown first; its text stays what the editor picked."""
    comment = services.comment_create(article=article, author=reader, body="A fine point.")
    services.comment_set_pinned(comment=comment, pinned=True, moderator=superuser)
    with pytest.raises(services.EditLocked):
        services.comment_edit(comment=comment, editor=reader, body=SPAM)


def test_edit_is_held_where_a_new_comment_would_be(rules, article, reader, superuser):
    """Finding 6: an unreviewed published comment edited by an author whose new comment would
    be held (no other published comment) goes back to the moderators, off the page."""
    earlier = services.comment_create(article=article, author=reader, body="An earlier one.")
    comment = services.comment_create(article=article, author=reader, body="Published at once.")
    rules.first_comment_held = True
    rules.save()
    services.comment_set_status(comment=earlier, status="removed", moderator=superuser)
    assert _count(article) == 1

    edited = services.comment_edit(comment=comment, editor=reader, body=SPAM)
    assert edited.status == Comment.Status.PENDING
    assert edited.moderation_reason == services.EDIT_HELD_REASON
    stored = Comment.objects.get(pk=comment.pk)
    assert (stored.status, stored.body) == (Comment.Status.PENDING, SPAM)
    assert _count(article) == 0
    assert comment not in Comment.objects.published()
    held = ModerationAction.objects.filter(comment=comment).get()
    assert (held.action, held.moderator) == (ModerationAction.Action.AUTO_HELD, None)
    # Held by the site, not decided by a moderator: the author may still fix it.
    assert services.can_edit(stored, reader)


def test_edit_by_a_trusted_author_stays_published(rules, article, reader):
    """Finding 6: where a new comment would be published, so is the edit (no needless hold)."""
    services.comment_create(article=article, author=reader, body="An earlier one.")
    comment = services.comment_create(article=article, author=reader, body="Typo hre.")
    rules.first_comment_held = True
    rules.save()
    edited = services.comment_edit(comment=comment, editor=reader, body="Typo here.")
    assert edited.status == Comment.Status.PUBLISHED
    assert Comment.objects.get(pk=comment.pk).body == "Typo here."
    assert _count(article) == 2


def test_suspended_author_cannot_edit(rules, article, reader):
    """Finding 6: the account rules of a new comment apply to edits (not only a ban)."""
    comment = services.comment_create(article=article, author=reader, body="Before.")
    reader.posting_suspended_until = timezone.now() + timedelta(days=1)
    reader.save()
    with pytest.raises(services.PostingSuspended):
        services.comment_edit(comment=comment, editor=reader, body="After.")


def test_edit_view_refuses_an_approved_comment(client, rules, article, reader, superuser):
    """Finding 6: the same through the edit form: the reader is told why, nothing changes."""
    rules.first_comment_held = True
    rules.save()
    comment = services.comment_create(article=article, author=reader, body="Hello, first post.")
    services.comment_set_status(comment=comment, status="published", moderator=superuser)
    client.force_login(reader)
    url = reverse("comments:edit", args=[comment.pk])
    response = client.post(url, {"body": SPAM})
    assert response.status_code == 200
    assert "pills" not in Comment.objects.get(pk=comment.pk).body
    assert "window_open" in response.context
    assert response.context["window_open"] is False
