"""Every write to comments goes through here: views, the admin, commands and tests alike.

Each refused rule raises a CommentError subclass whose message is safe to show the reader.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from articles.models import Article

from . import ratelimit, screening, trust
from .models import (
    MAX_BODY_LENGTH,
    MAX_DEPTH,
    Comment,
    CommentLike,
    CommentReport,
    CommentRevision,
    ModerationAction,
    ModerationSettings,
    ThreadSubscription,
)
from .rendering import count_links
from .trust import EDIT_HELD_REASON, FIRST_COMMENT_REASON

__all__ = ["EDIT_HELD_REASON", "FIRST_COMMENT_REASON"]  # re-exported: where they were first

logger = logging.getLogger(__name__)

Status = Comment.Status


class CommentError(Exception):
    """A rule refused the action; str(error) is a message for the reader."""

    message = gettext_lazy("This comment could not be saved.")

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or self.message)
        super().__init__(self.message)


class EmailNotVerified(CommentError):
    message = gettext_lazy(
        "Please confirm your email address before commenting: check your inbox for our link."
    )


class PostingBanned(CommentError):
    message = gettext_lazy("Your account can no longer post comments.")


class PostingSuspended(CommentError):
    pass


class CommentsClosed(CommentError):
    message = gettext_lazy("Comments are closed on this article.")


class RateLimited(CommentError):
    message = gettext_lazy(
        "You are commenting too quickly. Please wait a few minutes and try again."
    )

    def __init__(self, *, wait_seconds: int) -> None:
        self.wait_seconds = wait_seconds
        super().__init__(
            gettext("You are commenting too quickly. %(try_again)s")
            % {"try_again": ratelimit.try_again_in(wait_seconds)}
        )


class DuplicateComment(CommentError):
    message = gettext_lazy("You have already posted this comment.")


class EmptyComment(CommentError):
    message = gettext_lazy("Please write something before posting.")


class CommentTooLong(CommentError):
    pass


class TooManyLinks(CommentError):
    pass


class BannedWords(CommentError):
    """A watched word whose action is "block" refused the text (the form keeps it)."""

    message = screening.BLOCK_REASON


class QuestionsOnly(CommentError):
    message = (
        "This discussion is a Q&A: the newsroom answers the questions. "
        "Please ask your own question instead of replying."
    )


class EditWindowPassed(CommentError):
    pass


class EditLocked(CommentError):
    message = (
        "A moderator has reviewed this comment, so it can no longer be edited. "
        "You can still delete it."
    )


class NotAuthor(CommentError):
    message = gettext_lazy("Only the author can change this comment.")


class InvalidParent(CommentError):
    message = gettext_lazy("The comment you are replying to is not available.")


class AlreadyReported(CommentError):
    message = gettext_lazy(
        "You have already reported this comment. Thank you: a moderator will look at it."
    )


class CannotReportOwn(CommentError):
    message = gettext_lazy("You cannot report your own comment; you can edit or delete it instead.")


class CannotLikeOwn(CommentError):
    message = gettext_lazy("You cannot like your own comment.")


class CommentNotAvailable(CommentError):
    message = gettext_lazy("This comment is not available.")


class ReviewNotPossible(CommentError):
    message = gettext_lazy("A review can be requested once, for a held or hidden comment.")


class NotModerator(CommentError):
    message = gettext_lazy("Only moderators can do this.")


REPORTED_REASON = "Hidden after several readers reported it; a moderator will review it."
# What the site or the author did; any other action on a comment is a moderator's decision.
_NOT_MODERATOR_DECISIONS = (
    ModerationAction.Action.AUTO_HELD,
    ModerationAction.Action.REVIEW_REQUESTED,
)


# --- rules shared by create and edit ---------------------------------------------------------


def comments_open(article: Article, rules: ModerationSettings | None = None) -> bool:
    """Open unless an editor closed them (now, or at the story's closing time), or the article
    is older than the auto-close age."""
    if not article.comments_open or not article.is_published or article.is_closed_by_time:
        return False
    rules = rules or ModerationSettings.load()
    if rules.auto_close_after_days:
        closes_at = article.published_at + timedelta(days=rules.auto_close_after_days)
        if timezone.now() >= closes_at:
            return False
    return True


def normalise_body(body: str) -> str:
    """Trim, unify line endings and drop NUL characters (PostgreSQL refuses them)."""
    return body.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()


def validate_body(body: str, *, rules: ModerationSettings) -> None:
    if not body:
        raise EmptyComment()
    if len(body) > MAX_BODY_LENGTH:
        raise CommentTooLong(
            f"Your comment is {len(body):,} characters long; the limit is "
            f"{MAX_BODY_LENGTH:,}. Please shorten it."
        )
    links = count_links(body)
    if links > rules.max_links:
        raise TooManyLinks(
            f"Your comment has {links} links; at most {rules.max_links} are allowed."
        )


def screen_or_refuse(*, body: str, author, article: Article, rules, editing=None, reader=None):
    """The screening step (comments/screening.py): a Verdict, or BannedWords for a block."""
    verdict = screening.screen(
        body=body, author=author, article=article, rules=rules, editing=editing, reader=reader
    )
    if verdict.is_refused:
        raise BannedWords(verdict.reason)
    return verdict


def _log_automated(comment: Comment, verdict: screening.Verdict) -> None:
    """Log what screening did to a published comment (flagged, masked) as automated."""
    for action, note in verdict.marks():
        ModerationAction.objects.create(
            comment=comment, action=action, note=note[:300], is_automated=True
        )


def ensure_can_post(user, *, email_verified: bool | None = None) -> None:
    """Account-level rules: signed in, e-mail verified, not banned or suspended.

    `email_verified`, when the caller already knows it, saves a query.
    """
    if user is None or not user.is_authenticated:
        raise CommentError(gettext("Please log in to comment."))
    if user.is_banned:
        raise PostingBanned()
    until = user.posting_suspended_until
    if until and until > timezone.now():
        raise PostingSuspended(
            f"Your account cannot post comments until {timezone.localtime(until):%d %B %Y, %H:%M}."
        )
    if user.is_staff:
        return  # editors are created by hand and vouched for
    if email_verified is None:
        email_verified = EmailAddress.objects.filter(user=user, verified=True).exists()
    if not email_verified:
        raise EmailNotVerified()


def ensure_within_rate_limits(*, author, ip_address: str | None, rules) -> trust.Standing | None:
    """Limit each account first; then each network address, for accounts without earned trust.

    Readers who share one office or mobile network share an address: counting their comments
    together would lock them out. Trusted readers have a record, so only their own limit
    applies; fresh accounts (the cheap way to multiply the per-account limit) also share the
    address's looser limit. Returns the author's standing if it was read (screening's holds
    need it too), else None.
    """
    window = rules.rate_limit_window_seconds
    if wait := ratelimit.wait(
        f"comment:user:{author.pk}", limit=rules.user_rate_limit, window=window
    ):
        raise RateLimited(wait_seconds=wait)
    if not ip_address:
        return None
    reader = trust.standing(author, rules)
    if trust.is_trusted(author, rules, reader=reader):
        return reader
    if wait := ratelimit.wait(f"comment:ip:{ip_address}", limit=rules.ip_rate_limit, window=window):
        raise RateLimited(wait_seconds=wait)
    return reader


def _is_moderator(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.is_staff
        and (user.has_perm("comments.moderate_comment") or user.has_perm("comments.change_comment"))
    )


def _adjust_comment_count(article_id: int, delta: int) -> None:
    if delta:
        Article.objects.filter(pk=article_id).update(comment_count=F("comment_count") + delta)


def _schedule_notifications(comment: Comment) -> None:
    """Queue reply/follow e-mails once, after the commit; never for unpublished comments."""
    if not comment.is_counted or comment.notified_at is not None:
        return
    comment.notified_at = timezone.now()
    Comment.objects.filter(pk=comment.pk).update(notified_at=comment.notified_at)
    from .notifications import send_comment_notifications

    transaction.on_commit(lambda: send_comment_notifications.enqueue(comment.pk), robust=True)


# --- create, edit, delete --------------------------------------------------------------------


def comment_create(
    *,
    article: Article,
    author,
    body: str,
    parent: Comment | None = None,
    ip_address: str | None = None,
    client_token: str = "",
    email_verified: bool | None = None,
) -> Comment:
    """Post a comment or reply. A repeated client_token returns the comment already made.

    `email_verified=True` is for authors vouched for another way (a remote author whose
    server signed the reply, federation/inbound.py): every other rule still applies."""
    ensure_can_post(author, email_verified=email_verified)
    client_token = (client_token or "")[:64]
    if client_token:
        existing = Comment.objects.filter(author=author, client_token=client_token).first()
        if existing is not None:
            return existing

    rules = ModerationSettings.load()
    if not comments_open(article, rules):
        raise CommentsClosed()
    body = normalise_body(body)
    validate_body(body, rules=rules)

    reply_to = None
    if parent is not None:
        if parent.article_id != article.pk or not parent.is_published or parent.is_deleted:
            raise InvalidParent()
        if article.is_qa and not author.is_staff:
            raise QuestionsOnly()
        while parent.depth >= MAX_DEPTH:
            reply_to = reply_to or parent
            parent = parent.parent

    since = timezone.now() - timedelta(minutes=10)
    if Comment.objects.filter(
        author=author, article=article, body=body, created_at__gte=since, deleted_at__isnull=True
    ).exists():
        raise DuplicateComment()

    reader = None  # the author's standing, read once: the address limit and the holds ask
    if not author.is_staff:
        reader = ensure_within_rate_limits(author=author, ip_address=ip_address, rules=rules)

    verdict = screen_or_refuse(
        body=body, author=author, article=article, rules=rules, reader=reader
    )
    status, reason = verdict.status, verdict.reason

    comment = Comment(
        article=article,
        author=author,
        parent=parent,
        root_id=(parent.root_id or parent.pk) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        reply_to=reply_to,
        body=verdict.body,
        status=status,
        moderation_reason=reason,
        is_suspect=verdict.is_suspect,
        screening_score=verdict.score,
        screening_notes=verdict.notes_text,
        ip_address=ip_address or None,
        client_token=client_token,
    )
    # The client_token constraint is left to the database: a racing twin raises IntegrityError.
    # The article, author and parent were loaded above: checking they exist again is waste.
    comment.full_clean(
        exclude=["body_html", "article", "author", "parent", "root", "reply_to"],
        validate_constraints=False,
    )
    try:
        with transaction.atomic():
            comment.save()
            if verdict.is_masked:  # the words as written, for moderators
                CommentRevision.objects.create(comment=comment, body=body)
            if status == Status.PENDING:
                ModerationAction.objects.create(
                    comment=comment,
                    action=ModerationAction.Action.AUTO_HELD,
                    note=reason,
                    is_automated=True,
                )
            _log_automated(comment, verdict)
            _adjust_comment_count(article.pk, 1 if comment.is_counted else 0)
            _schedule_notifications(comment)
    except IntegrityError:
        # Two identical POSTs raced past the first check; the other one won.
        existing = Comment.objects.filter(author=author, client_token=client_token).first()
        if client_token and existing is not None:
            return existing
        raise
    return comment


def moderator_has_decided(comment: Comment) -> bool:
    """A moderator approved, held, hid, removed, marked or pinned this comment: they judged
    its text, so the author may no longer change it."""
    return bool(decided_by_a_moderator([comment.pk]))


def decided_by_a_moderator(comment_ids: list[int]) -> set[int]:
    """Which of these comments a moderator has decided on (moderator_has_decided), in one
    query."""
    return set(
        ModerationAction.objects.filter(comment_id__in=comment_ids, is_automated=False)
        .exclude(action__in=_NOT_MODERATOR_DECISIONS)
        .values_list("comment_id", flat=True)
    )


def edit_deadline(comment: Comment, rules: ModerationSettings | None = None):
    rules = rules or ModerationSettings.load()
    return comment.created_at + timedelta(minutes=rules.edit_window_minutes)


def can_edit(comment: Comment, user, rules: ModerationSettings | None = None) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and comment.author_id == user.pk
        and not comment.is_deleted
        and timezone.now() < edit_deadline(comment, rules)
        and not moderator_has_decided(comment)
    )


def comment_edit(
    *, comment: Comment, editor, body: str, email_verified: bool | None = None
) -> Comment:
    """The author rewrites their comment within the edit window; the old body is kept.

    The new text is screened as a new comment would be: the same account rules, length and
    link checks and the same screening step, and held for a moderator where a new comment
    would be held (the comment being edited does not count as approved). Once a
    moderator has decided on a comment, its text is what they judged: it cannot be edited.
    """
    if editor is None or comment.author_id != editor.pk:
        raise NotAuthor()
    if comment.is_deleted:
        raise CommentNotAvailable()
    ensure_can_post(editor, email_verified=email_verified)
    rules = ModerationSettings.load()
    if timezone.now() >= edit_deadline(comment, rules):
        raise EditWindowPassed(
            f"Comments can be edited for {rules.edit_window_minutes} minutes after posting."
        )
    if moderator_has_decided(comment):
        raise EditLocked()
    body = normalise_body(body)
    validate_body(body, rules=rules)
    if body == comment.body:
        return comment
    verdict = screen_or_refuse(
        body=body, author=editor, article=comment.article, rules=rules, editing=comment
    )
    screened = ("is_suspect", "screening_score", "screening_notes")
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.is_deleted:
            raise CommentNotAvailable()
        CommentRevision.objects.create(comment=locked, body=locked.body)
        if verdict.is_masked:
            CommentRevision.objects.create(comment=locked, body=body)
        locked.body = verdict.body
        locked.edited_at = timezone.now()
        locked.is_suspect = verdict.is_suspect
        locked.screening_score = verdict.score
        locked.screening_notes = verdict.notes_text
        locked.full_clean(exclude=["body_html"])
        locked.save(update_fields=["body", "body_html", "edited_at", *screened])
        if locked.is_published and verdict.is_held:
            _change_status(
                locked,
                Status.PENDING,
                moderator=None,
                note=verdict.reason,
                action=ModerationAction.Action.AUTO_HELD,
                is_automated=True,
            )
        _log_automated(locked, verdict)
    for field in ("body", "body_html", "edited_at", "status", "moderation_reason", *screened):
        setattr(comment, field, getattr(locked, field))
    return comment


def comment_delete(*, comment: Comment, user) -> Comment:
    """Soft delete by the author: replies keep their place, the text becomes "comment deleted".

    The last body is kept as a revision so moderators can still act on abuse.
    """
    if user is None or comment.author_id != user.pk:
        raise NotAuthor()
    if comment.is_deleted:
        return comment
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.is_deleted:
            return locked
        was_counted = locked.is_counted
        CommentRevision.objects.create(comment=locked, body=locked.body)
        locked.body = ""
        locked.deleted_at = timezone.now()
        locked.is_pinned = False
        locked.save(update_fields=["body", "body_html", "deleted_at", "is_pinned"])
        _adjust_comment_count(locked.article_id, -1 if was_counted else 0)
    for field in ("body", "body_html", "deleted_at", "is_pinned"):
        setattr(comment, field, getattr(locked, field))
    return comment


# --- likes and reports -----------------------------------------------------------------------


def _ensure_public(comment: Comment) -> None:
    if not comment.is_published or comment.is_deleted:
        raise CommentNotAvailable()


def comment_like(*, comment: Comment, user) -> bool:
    """Like once; returns True if this call added the like."""
    ensure_can_post(user)
    _ensure_public(comment)
    if comment.author_id == user.pk:
        raise CannotLikeOwn()
    with transaction.atomic():
        _, created = CommentLike.objects.get_or_create(comment=comment, user=user)
        if created:
            Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
    comment.refresh_from_db(fields=["like_count"])
    return created


def comment_unlike(*, comment: Comment, user) -> bool:
    """Take a like back; returns True if there was one."""
    with transaction.atomic():
        deleted, _ = CommentLike.objects.filter(comment=comment, user=user).delete()
        if deleted:
            Comment.objects.filter(pk=comment.pk, like_count__gt=0).update(
                like_count=F("like_count") - 1
            )
    comment.refresh_from_db(fields=["like_count"])
    return bool(deleted)


def comment_report(*, comment: Comment, reporter, reason: str, detail: str = "") -> CommentReport:
    """A reader flags a comment; enough reports hide it until a moderator reviews it.

    Reporters need a verified address, like posters: throwaway accounts must not be able to
    hide other people's comments.
    """
    ensure_can_post(reporter)
    _ensure_public(comment)
    if comment.author_id == reporter.pk:
        raise CannotReportOwn()
    report = CommentReport(comment=comment, reporter=reporter, reason=reason, detail=detail.strip())
    report.full_clean(exclude=["comment", "reporter"], validate_unique=False)
    if CommentReport.objects.filter(comment=comment, reporter=reporter).exists():
        raise AlreadyReported()
    rules = ModerationSettings.load()
    try:
        with transaction.atomic():
            report.save()
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
            locked = Comment.objects.select_for_update().get(pk=comment.pk)
            if (
                rules.report_threshold
                and locked.report_count >= rules.report_threshold
                and locked.status == Status.PUBLISHED
            ):
                _change_status(
                    locked,
                    Status.PENDING,
                    moderator=None,
                    note=REPORTED_REASON,
                    action=ModerationAction.Action.AUTO_HELD,
                    is_automated=True,
                )
    except IntegrityError:
        raise AlreadyReported() from None
    comment.refresh_from_db(fields=["report_count", "status", "moderation_reason"])
    return report


def comment_request_review(*, comment: Comment, author) -> Comment:
    """The author of a held or hidden comment asks a moderator to look again, once."""
    if author is None or comment.author_id != author.pk:
        raise NotAuthor()
    if comment.status not in Comment.AUTHOR_VISIBLE_STATUSES or comment.review_requested_at:
        raise ReviewNotPossible()
    with transaction.atomic():
        updated = Comment.objects.filter(pk=comment.pk, review_requested_at__isnull=True).update(
            review_requested_at=timezone.now()
        )
        if not updated:
            raise ReviewNotPossible()
        ModerationAction.objects.create(
            comment=comment, moderator=None, action=ModerationAction.Action.REVIEW_REQUESTED
        )
    comment.refresh_from_db(fields=["review_requested_at"])
    return comment


# --- moderation ------------------------------------------------------------------------------


def _change_status(
    comment: Comment,
    status: str,
    *,
    moderator,
    note: str,
    action: str | None = None,
    is_automated: bool = False,
) -> None:
    """Move a locked comment to a status, keep the article's count right, log it.

    A moderator's decision also settles a "suspect" mark from screening.
    """
    was_counted = comment.is_counted
    comment.status = status
    comment.moderation_reason = "" if status == Status.PUBLISHED else note[:300]
    if moderator is not None:
        comment.is_suspect = False
    comment.save(update_fields=["status", "moderation_reason", "is_suspect"])
    _adjust_comment_count(comment.article_id, int(comment.is_counted) - int(was_counted))
    ModerationAction.objects.create(
        comment=comment,
        moderator=moderator,
        action=action or status,
        note=note[:300],
        is_automated=is_automated,
    )
    _schedule_notifications(comment)


def comment_set_status(*, comment: Comment, status: str, moderator, note: str = "") -> Comment:
    """A moderator publishes, holds, hides, marks as spam or removes a comment (publishing a
    published comment that screening marked suspect clears the mark)."""
    if not _is_moderator(moderator):
        raise NotModerator()
    if status not in Status.values:
        raise CommentError(f"Unknown status {status!r}.")
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.status != status:
            _change_status(locked, status, moderator=moderator, note=note)
        else:
            # Confirming the status it has (approving a reported or suspect comment, spam that
            # screening caught): the moderator checked it, so it is logged and leaves the queue.
            confirmation = "Checked: no longer suspect." if locked.is_suspect else "Checked."
            Comment.objects.filter(pk=locked.pk).update(is_suspect=False)
            ModerationAction.objects.create(
                comment=locked,
                moderator=moderator,
                action=status,
                note=(note or confirmation)[:300],
            )
    comment.refresh_from_db(fields=["status", "moderation_reason", "notified_at", "is_suspect"])
    return comment


def comment_set_pinned(*, comment: Comment, pinned: bool, moderator) -> Comment:
    """An editor marks (or unmarks) a published comment as the editor's pick."""
    if not _is_moderator(moderator):
        raise NotModerator()
    if pinned:
        _ensure_public(comment)
    with transaction.atomic():
        # The author hears of their first pick only: picking again after an unpick is quiet.
        first_pick = (
            pinned
            and not ModerationAction.objects.filter(
                comment=comment, action=ModerationAction.Action.PINNED
            ).exists()
        )
        Comment.objects.filter(pk=comment.pk).update(is_pinned=pinned)
        ModerationAction.objects.create(
            comment=comment,
            moderator=moderator,
            action=ModerationAction.Action.PINNED if pinned else ModerationAction.Action.UNPINNED,
        )
        if first_pick:
            from .notifications import send_pick_notification

            transaction.on_commit(lambda: send_pick_notification.enqueue(comment.pk), robust=True)
    comment.is_pinned = pinned
    return comment


# --- following a discussion ------------------------------------------------------------------


def thread_follow(*, article: Article, user) -> ThreadSubscription:
    if user is None or not user.is_authenticated:
        raise CommentError(gettext("Please log in to follow a discussion."))
    subscription, _ = ThreadSubscription.objects.get_or_create(article=article, user=user)
    return subscription


def thread_unfollow(*, article: Article, user) -> bool:
    deleted, _ = ThreadSubscription.objects.filter(article=article, user=user).delete()
    return bool(deleted)
