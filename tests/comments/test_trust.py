"""Earned trust: approved comments earn it, recent rejections hold a reader, moderators set it
by hand with a logged reason, and the comment's admin page shows the author's record."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from comments import services, trust
from comments.models import Comment, CommentReport, ModerationAction, TrustChange
from tests.admin.test_moderation_admin import post_comment_page
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

Level = TrustChange.Level


def post(article, author, body="A remark.") -> Comment:
    return services.comment_create(article=article, author=author, body=body)


def history(author, article, *statuses, days_ago: float = 0) -> None:
    """Earlier comments by this author, oldest first, in the given states."""
    start = timezone.now() - timedelta(days=days_ago, minutes=len(statuses))
    for n, status in enumerate(statuses):
        CommentFactory(
            article=article,
            author=author,
            status=status,
            created_at=start + timedelta(minutes=n),
        )


@pytest.fixture
def strict(rules):
    """The site's defaults: first comments held, trusted after 5, held after 2 of 5 rejected."""
    rules.first_comment_held = True
    rules.save()
    return rules


# --- earned trust -----------------------------------------------------------------------------


def test_trusted_after_enough_approved_comments(strict, article, reader):
    strict.trusted_after_comments = 3
    strict.save()
    history(reader, article, "published", "published", "removed", "pending")
    assert not trust.is_trusted(reader)
    history(reader, article, "published")
    assert trust.is_trusted(reader)
    assert trust.is_trusted(UserFactory(is_staff=True))
    assert not trust.is_trusted(None)


def test_first_comment_is_held_unless_trusted(strict, article, reader, other_reader, moderator):
    assert post(article, reader).moderation_reason == trust.FIRST_COMMENT_REASON
    trust.trust_set(user=other_reader, level=Level.TRUSTED, moderator=moderator, note="Known")
    assert post(article, other_reader).is_published


def test_earned_trust_with_no_threshold_skips_the_first_comment_hold(strict, article, reader):
    strict.trusted_after_comments = 0
    strict.save()
    assert trust.is_trusted(reader)
    assert post(article, reader).is_published


def test_untrusted_reader_is_always_held(strict, article, reader, moderator):
    history(reader, article, *["published"] * 6)
    assert post(article, reader, "fine").is_published
    trust.trust_set(user=reader, level=Level.UNTRUSTED, moderator=moderator, note="Sock puppet")
    held = post(article, reader, "held now")
    assert (held.status, held.moderation_reason) == ("pending", trust.UNTRUSTED_REASON)
    assert not trust.is_trusted(reader)
    trust.trust_set(user=reader, level=Level.AUTO, moderator=moderator, note="Cleared")
    assert post(article, reader, "back to normal").is_published


# --- recent rejections ------------------------------------------------------------------------


def test_recent_rejections_hold_until_the_rate_falls(strict, article, reader):
    history(reader, article, *["published"] * 5, "removed", "published", "spam")
    held = post(article, reader, "After two rejections")
    assert held.status == "pending"
    assert "recent rejections" in held.moderation_reason
    action = ModerationAction.objects.get(comment=held)
    assert (action.action, action.is_automated) == (ModerationAction.Action.AUTO_HELD, True)

    # Held comments do not wash the rejections out of the window; approvals do.
    history(reader, article, "pending", "pending", "pending")
    assert post(article, reader, "Still held").status == "pending"
    history(reader, article, "published", "published", "published")
    assert post(article, reader, "Rate has fallen").is_published


def test_old_rejections_do_not_count(strict, article, reader):
    history(reader, article, "removed", "hidden", "spam", days_ago=8)
    history(reader, article, "published")
    assert trust.standing(reader, strict).recent_rejections == 0
    assert post(article, reader).is_published


def test_rejection_limit_of_zero_turns_the_rule_off(strict, article, reader):
    strict.rejection_limit = 0
    strict.save()
    history(reader, article, "published", "removed", "removed", "removed")
    assert post(article, reader).is_published


def test_trusted_readers_are_held_after_recent_rejections_too(strict, article, reader, moderator):
    trust.trust_set(user=reader, level=Level.TRUSTED, moderator=moderator, note="Regular")
    history(reader, article, "removed", "removed")
    assert "recent rejections" in post(article, reader).moderation_reason


def test_edits_are_held_after_recent_rejections(strict, article, reader):
    history(reader, article, "published")
    comment = post(article, reader, "Fine at first")
    history(reader, article, "removed", "spam")
    services.comment_edit(comment=comment, editor=reader, body="Rewritten")
    assert comment.status == "pending"
    assert "recent rejections" in comment.moderation_reason


# --- setting trust by hand --------------------------------------------------------------------


def test_trust_changes_are_logged_with_who_when_and_why(rules, reader, moderator):
    assert trust.standing(reader, rules).level == Level.AUTO
    trust.trust_set(user=reader, level=Level.TRUSTED, moderator=moderator, note="Long-time reader")
    trust.trust_set(user=reader, level=Level.UNTRUSTED, moderator=moderator, note="Spam wave")
    assert trust.standing(reader, rules).level == Level.UNTRUSTED
    rows = list(TrustChange.objects.filter(user=reader).values_list("level", "moderator", "note"))
    assert rows == [
        (Level.UNTRUSTED, moderator.pk, "Spam wave"),
        (Level.TRUSTED, moderator.pk, "Long-time reader"),
    ]


def test_only_moderators_set_trust_and_must_say_why(reader, other_reader, moderator):
    with pytest.raises(services.NotModerator):
        trust.trust_set(user=reader, level=Level.TRUSTED, moderator=other_reader, note="Me")
    with pytest.raises(ValidationError):
        trust.trust_set(user=reader, level=Level.TRUSTED, moderator=moderator, note="   ")
    with pytest.raises(ValidationError):
        trust.trust_set(user=reader, level="royal", moderator=moderator, note="Why not")
    assert not TrustChange.objects.exists()


# --- the author's record in the admin ---------------------------------------------------------


def test_comment_page_shows_the_authors_record_and_sets_trust(
    admin_client, admin_user, article, reader, monkeypatch
):
    history(reader, article, "published", "published", "removed", "spam")
    comment = CommentFactory(article=article, author=reader, body="Under review", status="pending")
    CommentReport.objects.create(
        comment=Comment.objects.filter(author=reader, status="published").first(),
        reporter=UserFactory(),
        reason=CommentReport.Reason.ABUSE,
    )
    monkeypatch.setattr(
        trust, "AUTHOR_RECORD_ROWS", [lambda author: [("Statements of reasons sent", 4)]]
    )
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    html = admin_client.get(url).content.decode()
    for row in (
        '<th scope="row">Approved comments</th><td>2</td>',
        '<th scope="row">Rejected comments (removed, hidden, spam)</th><td>2</td>',
        '<th scope="row">Awaiting moderation</th><td>1</td>',
        '<th scope="row">Reports made against their comments</th><td>1</td>',
        '<th scope="row">Statements of reasons sent</th><td>4</td>',
        "Trust never set by hand.",
    ):
        assert row in html, row

    response = post_comment_page(
        admin_client, comment, {"set_trust": Level.TRUSTED, "trust_note": "Known to the desk"}
    )
    assert response.status_code == 302
    change = TrustChange.objects.get(user=reader)
    assert (change.level, change.moderator, change.note) == (
        Level.TRUSTED,
        admin_user,
        "Known to the desk",
    )
    html = admin_client.get(url).content.decode()
    assert "Trusted: skips the first-comment and link holds by" in html
    assert "(Known to the desk)" in html


def test_trust_change_without_a_reason_is_refused_in_the_admin(admin_client, article, reader):
    comment = CommentFactory(article=article, author=reader)
    response = post_comment_page(
        admin_client, comment, {"set_trust": Level.UNTRUSTED, "trust_note": ""}
    )
    assert response.status_code == 200
    assert "Say why you are changing the author" in response.content.decode()
    assert not TrustChange.objects.exists()


def test_trust_log_is_read_only(admin_client, reader, moderator):
    trust.trust_set(user=reader, level=Level.TRUSTED, moderator=moderator, note="Regular")
    change = TrustChange.objects.get()
    assert admin_client.get(reverse("admin:comments_trustchange_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:comments_trustchange_add")).status_code == 403
    delete = reverse("admin:comments_trustchange_delete", args=[change.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert TrustChange.objects.count() == 1
