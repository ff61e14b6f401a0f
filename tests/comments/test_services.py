"""The comment rules, enforced by the services whatever endpoint a write arrives through."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article
from comments import ratelimit, services
from comments.models import (
    Comment,
    CommentLike,
    CommentReport,
    CommentRevision,
    ModerationAction,
    WatchedWord,
)
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def post(article, author, body="A thoughtful remark.", **kwargs):
    return services.comment_create(article=article, author=author, body=body, **kwargs)


def count(article) -> int:
    return Article.objects.get(pk=article.pk).comment_count


# --- creating ---------------------------------------------------------------------------------


def test_create_publishes_renders_and_counts(rules, article, reader):
    comment = post(article, reader, "I *agree* with [this](https://example.com).")
    assert comment.status == Comment.Status.PUBLISHED
    assert "<em>agree</em>" in comment.body_html
    assert 'rel="nofollow ugc noopener"' in comment.body_html
    assert count(article) == 1


def test_unverified_reader_cannot_post(rules, article):
    unverified = UserFactory(verified=False)
    with pytest.raises(services.EmailNotVerified, match="confirm your email"):
        post(article, unverified)
    assert not Comment.objects.exists()


def test_banned_reader_cannot_post(rules, article):
    with pytest.raises(services.PostingBanned):
        post(article, UserFactory(is_banned=True))


def test_suspended_reader_cannot_post_until_suspension_ends(rules, article):
    reader = UserFactory(posting_suspended_until=timezone.now() + timedelta(days=1))
    with pytest.raises(services.PostingSuspended, match="until"):
        post(article, reader)
    reader.posting_suspended_until = timezone.now() - timedelta(minutes=1)
    assert post(article, reader).pk


def test_closed_article_refuses_comments(rules, reader):
    article = ArticleFactory(comments_open=False)
    with pytest.raises(services.CommentsClosed):
        post(article, reader)


def test_comments_close_automatically_after_n_days(rules, reader):
    rules.auto_close_after_days = 7
    rules.save()
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=8))
    recent = ArticleFactory(published_at=timezone.now() - timedelta(days=6))
    with pytest.raises(services.CommentsClosed):
        post(old, reader)
    assert post(recent, reader).pk
    rules.auto_close_after_days = 0
    rules.save()
    assert post(old, reader, "Never closes now.").pk


def test_draft_article_refuses_comments(rules, reader):
    with pytest.raises(services.CommentsClosed):
        post(ArticleFactory(status=Article.Status.DRAFT), reader)


def test_empty_body_refused(rules, article, reader):
    with pytest.raises(services.EmptyComment):
        post(article, reader, "   \n  ")


def test_body_longer_than_5000_characters_refused_with_clear_message(rules, article, reader):
    assert post(article, reader, "x" * 5000).pk
    with pytest.raises(services.CommentTooLong, match="5,001 characters long; the limit is 5,000"):
        post(article, reader, "y" * 5001)


def test_too_many_links_refused(rules, article, reader):
    rules.max_links = 2
    rules.save()
    assert post(article, reader, "See https://a.example and www.b.example").pk
    with pytest.raises(services.TooManyLinks, match="3 links; at most 2"):
        post(article, reader, "[one](https://a.example) http://b.example www.c.example")


def test_banned_words_refused_in_any_case_but_not_inside_other_words(rules, article, reader):
    WatchedWord.objects.create(pattern="Frobnicate", action=WatchedWord.Action.BLOCK)
    WatchedWord.objects.create(pattern="bad  phrase", action=WatchedWord.Action.BLOCK)
    with pytest.raises(services.BannedWords):
        post(article, reader, "You FROBNICATE everything")
    with pytest.raises(services.BannedWords):
        post(article, reader, "what a Bad\nphrase that was")
    assert post(article, reader, "Refrobnicated is a different word").pk


def test_duplicate_body_refused(rules, article, reader):
    post(article, reader, "Same words")
    with pytest.raises(services.DuplicateComment):
        post(article, reader, "  Same words  ")
    assert count(article) == 1


def test_same_client_token_creates_one_comment(rules, article, reader):
    first = post(article, reader, "Clicked twice", client_token="tok-1")
    second = post(article, reader, "Clicked twice", client_token="tok-1")
    assert first.pk == second.pk
    assert Comment.objects.count() == 1
    assert count(article) == 1


def test_per_user_rate_limit(rules, article, reader, monkeypatch):
    monkeypatch.setattr(ratelimit, "now", lambda: 1_000_000.0)
    rules.user_rate_limit = 2
    rules.save()
    post(article, reader, "one")
    post(article, reader, "two")
    with pytest.raises(services.RateLimited):
        post(article, reader, "three")
    assert Comment.objects.count() == 2
    # The next window starts a fresh count.
    monkeypatch.setattr(ratelimit, "now", lambda: 1_000_000.0 + rules.rate_limit_window_seconds)
    assert post(article, reader, "four").pk


def test_per_ip_rate_limit_spans_accounts(rules, article, monkeypatch):
    monkeypatch.setattr(ratelimit, "now", lambda: 2_000_000.0)
    rules.ip_rate_limit = 2
    rules.save()
    post(article, UserFactory(), "one", ip_address="203.0.113.9")
    post(article, UserFactory(), "two", ip_address="203.0.113.9")
    with pytest.raises(services.RateLimited):
        post(article, UserFactory(), "three", ip_address="203.0.113.9")
    assert post(article, UserFactory(), "elsewhere", ip_address="203.0.113.10").pk


def test_first_comment_of_new_account_is_held_then_later_ones_publish(article, reader, moderator):
    first = post(article, reader, "Hello, first time here")
    assert first.status == Comment.Status.PENDING
    assert "checked by a moderator" in first.moderation_reason
    assert count(article) == 0
    assert ModerationAction.objects.filter(
        comment=first, action=ModerationAction.Action.AUTO_HELD
    ).exists()
    services.comment_set_status(comment=first, status=Comment.Status.PUBLISHED, moderator=moderator)
    assert count(article) == 1
    assert first.moderation_reason == ""
    assert post(article, reader, "Second one").status == Comment.Status.PUBLISHED


def test_reply_depth_is_capped_and_deeper_replies_attach_to_deepest_allowed(
    rules, article, reader, other_reader
):
    chain = [post(article, reader, "level 0")]
    for depth in range(1, 6):
        author = other_reader if depth % 2 else reader
        chain.append(post(article, author, f"level {depth}", parent=chain[-1]))
    assert [c.depth for c in chain] == [0, 1, 2, 3, 3, 3]
    assert chain[4].parent_id == chain[2].pk
    assert chain[5].parent_id == chain[2].pk
    # The answered comment is remembered, for the "in reply to" line and the reply e-mail.
    assert [c.reply_to_id for c in chain[3:]] == [None, chain[3].pk, chain[4].pk]
    assert chain[5].answered == chain[4]
    assert {c.root_id for c in chain[1:]} == {chain[0].pk}


def test_reply_to_comment_on_another_article_refused(rules, article, reader):
    elsewhere = post(ArticleFactory(), reader, "elsewhere")
    with pytest.raises(services.InvalidParent):
        post(article, reader, "reply", parent=elsewhere)


def test_reply_to_unpublished_comment_refused(rules, article, reader, other_reader):
    held = post(article, reader, "held")
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    held.refresh_from_db()
    with pytest.raises(services.InvalidParent):
        post(article, other_reader, "reply", parent=held)


# --- editing and deleting ----------------------------------------------------------------------


def test_author_edits_within_window_and_revision_is_kept(rules, article, reader):
    comment = post(article, reader, "Frist!")
    services.comment_edit(comment=comment, editor=reader, body="First!")
    comment.refresh_from_db()
    assert comment.body == "First!"
    assert comment.edited_at is not None
    assert list(CommentRevision.objects.values_list("body", flat=True)) == ["Frist!"]


def test_nobody_edits_another_readers_comment(rules, article, reader, other_reader):
    comment = post(article, reader, "Mine")
    with pytest.raises(services.NotAuthor):
        services.comment_edit(comment=comment, editor=other_reader, body="Yours now")
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_edit_after_window_refused(rules, article, reader):
    comment = post(article, reader, "Mine")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=rules.edit_window_minutes + 1)
    )
    comment.refresh_from_db()
    with pytest.raises(services.EditWindowPassed, match="15 minutes"):
        services.comment_edit(comment=comment, editor=reader, body="Changed")


def test_edit_applies_the_same_rules(rules, article, reader):
    WatchedWord.objects.create(pattern="frobnicate", action=WatchedWord.Action.BLOCK)
    comment = post(article, reader, "Clean")
    with pytest.raises(services.BannedWords):
        services.comment_edit(comment=comment, editor=reader, body="now frobnicate")
    with pytest.raises(services.CommentTooLong):
        services.comment_edit(comment=comment, editor=reader, body="z" * 5001)


def test_soft_delete_keeps_thread_shape_and_count(rules, article, reader, other_reader):
    comment = post(article, reader, "Regrettable")
    reply = post(article, other_reader, "Reply", parent=comment)
    assert count(article) == 2
    services.comment_delete(comment=comment, user=reader)
    comment.refresh_from_db()
    assert comment.is_deleted
    assert comment.body == ""
    assert comment.body_html == ""
    assert Comment.objects.get(pk=reply.pk).parent_id == comment.pk
    assert count(article) == 1
    assert CommentRevision.objects.get(comment=comment).body == "Regrettable"
    services.comment_delete(comment=comment, user=reader)  # twice is harmless
    assert count(article) == 1


def test_nobody_deletes_another_readers_comment(rules, article, reader, other_reader):
    comment = post(article, reader, "Mine")
    with pytest.raises(services.NotAuthor):
        services.comment_delete(comment=comment, user=other_reader)
    assert not Comment.objects.get(pk=comment.pk).is_deleted


# --- likes, reports, reviews -------------------------------------------------------------------


def test_like_once_per_reader_and_unlike(rules, article, reader, other_reader):
    comment = post(article, reader)
    assert services.comment_like(comment=comment, user=other_reader) is True
    assert services.comment_like(comment=comment, user=other_reader) is False
    assert comment.like_count == 1
    assert CommentLike.objects.count() == 1
    assert services.comment_unlike(comment=comment, user=other_reader) is True
    assert services.comment_unlike(comment=comment, user=other_reader) is False
    assert comment.like_count == 0


def test_cannot_like_own_comment(rules, article, reader):
    comment = post(article, reader)
    with pytest.raises(services.CannotLikeOwn):
        services.comment_like(comment=comment, user=reader)


def test_report_once_per_reader_and_threshold_hides_pending_review(rules, article, reader):
    rules.report_threshold = 2
    rules.save()
    comment = post(article, reader, "Provocative")
    first, second = UserFactory(), UserFactory()
    services.comment_report(comment=comment, reporter=first, reason="abuse", detail="rude")
    with pytest.raises(services.AlreadyReported):
        services.comment_report(comment=comment, reporter=first, reason="spam")
    assert comment.status == Comment.Status.PUBLISHED
    assert count(article) == 1
    services.comment_report(comment=comment, reporter=second, reason="spam")
    comment.refresh_from_db()
    assert comment.report_count == 2
    assert comment.status == Comment.Status.PENDING
    assert "reported" in comment.moderation_reason
    assert count(article) == 0
    assert CommentReport.objects.filter(comment=comment).count() == 2


def test_unverified_accounts_cannot_report(rules, article, reader):
    comment = post(article, reader)
    with pytest.raises(services.EmailNotVerified):
        services.comment_report(
            comment=comment, reporter=UserFactory(verified=False), reason="spam"
        )
    assert comment.report_count == 0


def test_cannot_report_own_comment_or_with_unknown_reason(rules, article, reader, other_reader):
    comment = post(article, reader)
    with pytest.raises(services.CannotReportOwn):
        services.comment_report(comment=comment, reporter=reader, reason="spam")
    with pytest.raises(ValidationError):
        services.comment_report(comment=comment, reporter=other_reader, reason="boring")


def test_author_requests_review_once(rules, article, reader, other_reader, moderator):
    comment = post(article, reader)
    services.comment_set_status(
        comment=comment, status=Comment.Status.HIDDEN, moderator=moderator, note="Off topic"
    )
    assert comment.moderation_reason == "Off topic"
    with pytest.raises(services.NotAuthor):
        services.comment_request_review(comment=comment, author=other_reader)
    services.comment_request_review(comment=comment, author=reader)
    assert comment.review_requested_at is not None
    with pytest.raises(services.ReviewNotPossible):
        services.comment_request_review(comment=comment, author=reader)


def test_review_of_published_comment_refused(rules, article, reader):
    with pytest.raises(services.ReviewNotPossible):
        services.comment_request_review(comment=post(article, reader), author=reader)


# --- moderation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [("published", 1), ("pending", 0), ("hidden", 0), ("spam", 0), ("removed", 0)],
)
def test_set_status_maintains_count_and_logs(rules, article, reader, moderator, status, expected):
    comment = post(article, reader)
    services.comment_set_status(comment=comment, status=status, moderator=moderator, note="n")
    assert count(article) == expected
    services.comment_set_status(comment=comment, status=status, moderator=moderator)
    assert count(article) == expected  # setting the same status twice counts once
    services.comment_set_status(comment=comment, status="published", moderator=moderator)
    assert count(article) == 1
    if status != "published":
        assert ModerationAction.objects.filter(
            comment=comment, moderator=moderator, action=status, note="n"
        ).exists()


def test_deleted_comment_stays_uncounted_through_status_changes(rules, article, reader, moderator):
    comment = post(article, reader)
    services.comment_delete(comment=comment, user=reader)
    services.comment_set_status(comment=comment, status="hidden", moderator=moderator)
    services.comment_set_status(comment=comment, status="published", moderator=moderator)
    assert count(article) == 0


def test_only_moderators_set_status_or_pin(rules, article, reader, other_reader):
    comment = post(article, reader)
    with pytest.raises(services.NotModerator):
        services.comment_set_status(comment=comment, status="removed", moderator=other_reader)
    with pytest.raises(services.NotModerator):
        services.comment_set_pinned(comment=comment, pinned=True, moderator=other_reader)


def test_pinned_comment_sorts_first(rules, article, reader, other_reader, moderator):
    older = post(article, reader, "older")
    newer = post(article, other_reader, "newer")
    services.comment_like(comment=newer, user=reader)
    services.comment_set_pinned(comment=older, pinned=True, moderator=moderator)
    for sort in ("best", "newest", "oldest"):
        first = Comment.objects.published().top_level().sorted_by(sort).first()
        assert first.pk == older.pk, sort
    assert ModerationAction.objects.filter(comment=older, action="pinned").exists()


def test_best_sort_uses_likes(rules, article, reader, other_reader):
    plain = post(article, reader, "plain")
    liked = post(article, reader, "liked")
    services.comment_like(comment=plain, user=other_reader)
    services.comment_like(comment=liked, user=other_reader)
    services.comment_like(comment=liked, user=UserFactory())
    ordered = list(Comment.objects.top_level().sorted_by("best"))
    assert ordered == [liked, plain]
    assert list(Comment.objects.top_level().sorted_by("oldest")) == [plain, liked]
    assert list(Comment.objects.top_level().sorted_by("newest")) == [liked, plain]


def test_visible_to_shows_authors_their_own_held_comments_only(rules, article, reader):
    mine = post(article, reader, "mine")
    Comment.objects.filter(pk=mine.pk).update(status=Comment.Status.PENDING)
    other = UserFactory()
    spam = post(article, other, "spam")
    Comment.objects.filter(pk=spam.pk).update(status=Comment.Status.SPAM)
    assert list(Comment.objects.visible_to(reader)) == [mine]
    assert list(Comment.objects.visible_to(other)) == []
    assert list(Comment.objects.published()) == []
