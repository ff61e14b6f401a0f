"""Earned trust: readers with a record of approved comments skip the holds meant for new
accounts; readers whose recent comments keep being rejected are held until that changes.

Moderators may set a reader's trust by hand (`trust_set`); every change is kept, and the
latest one is in force. Read by comments/screening.py, and by anything else that holds new
readers' comments (`is_trusted`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from .models import Comment, CommentReport, ModerationSettings, TrustChange

Status = Comment.Status
Level = TrustChange.Level

# A moderator's decision against a comment (reports only ever hold one: that is PENDING).
REJECTED_STATUSES = (Status.REMOVED, Status.SPAM, Status.HIDDEN)

FIRST_COMMENT_REASON = (
    "First comments from new accounts are checked by a moderator before they appear."
)
EDIT_HELD_REASON = (
    "Edited comments from new accounts are checked by a moderator before they appear again."
)
RECENT_REJECTIONS_REASON = (
    "Held because of recent rejections: a moderator checks your comments before they appear "
    "while several of your latest were removed."
)
UNTRUSTED_REASON = "Comments from this account are checked by a moderator before they appear."

# Rows other apps add to an author's record on the comment's admin page: each callable takes
# the author and returns (label, value) pairs. The notices app registers its counts (notices
# about this author, statements of reasons sent to them) here from its AppConfig.ready().
AUTHOR_RECORD_ROWS: list[Callable[..., Iterable[tuple[str, object]]]] = []


class TrustError(Exception):
    """A trust change was refused; str(error) is a message for the moderator."""


def override(user) -> str:
    """The level a moderator set by hand, or AUTO."""
    latest = TrustChange.objects.filter(user=user).values_list("level", flat=True).first()
    return latest or Level.AUTO


def approved_count(user, *, besides: Comment | None = None) -> int:
    """Published comments (an author's later deletion does not take the approval back)."""
    approved = Comment.objects.filter(author=user).published()
    if besides is not None:
        approved = approved.exclude(pk=besides.pk)
    return approved.count()


def recent_rejections(user, rules: ModerationSettings) -> int:
    """How many of the author's latest decided comments, within the window, were rejected.

    Comments still waiting for a moderator do not count either way: posting more held
    comments must not wash old rejections out of the window; only approvals and time do.
    """
    since = timezone.now() - timedelta(days=rules.rejection_window_days)
    latest = (
        Comment.objects.filter(author=user, created_at__gte=since)
        .exclude(status=Status.PENDING)
        .order_by("-created_at", "-id")
        .values_list("status", flat=True)[: rules.rejection_window_comments]
    )
    return sum(status in REJECTED_STATUSES for status in latest)


def is_trusted(user, rules: ModerationSettings | None = None) -> bool:
    """Whether this reader skips the holds meant for new accounts (first comment, links)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    level = override(user)
    if level != Level.AUTO:
        return level == Level.TRUSTED
    rules = rules or ModerationSettings.load()
    return approved_count(user) >= rules.trusted_after_comments


def hold_reason(author, rules: ModerationSettings, *, editing: Comment | None = None) -> str:
    """Why this author's new text waits for a moderator, or "" if it need not.

    `editing` is the comment whose text is changing: it does not count as an approved one,
    so a reader cannot get a first comment approved and then rewrite it.
    """
    if author.is_staff:
        return ""  # editors are created by hand and vouched for
    if rules.rejection_limit and recent_rejections(author, rules) >= rules.rejection_limit:
        return RECENT_REJECTIONS_REASON
    level = override(author)
    if level == Level.UNTRUSTED:
        return UNTRUSTED_REASON
    if level == Level.TRUSTED or not rules.first_comment_held:
        return ""
    approved = approved_count(author, besides=editing)
    earned_trust = approved >= rules.trusted_after_comments
    if approved == 0 and not earned_trust:
        return EDIT_HELD_REASON if editing is not None else FIRST_COMMENT_REASON
    return ""


def trust_set(*, user, level: str, moderator, note: str) -> TrustChange:
    """A moderator sets a reader's trust (auto, trusted, untrusted), saying why; logged."""
    from .services import NotModerator, _is_moderator

    if not _is_moderator(moderator):
        raise NotModerator()
    change = TrustChange(user=user, level=level, moderator=moderator, note=note.strip())
    change.full_clean(exclude=["user", "moderator"])
    with transaction.atomic():
        change.save()
    return change


@dataclass(frozen=True)
class AuthorRecord:
    """What a moderator sees of an author next to one of their comments."""

    approved: int
    rejected: int
    held: int
    reports_against: int
    recent_rejections: int
    level: str
    is_trusted: bool
    history: list[TrustChange]
    extra_rows: list[tuple[str, object]]


def author_record(user, rules: ModerationSettings | None = None) -> AuthorRecord:
    rules = rules or ModerationSettings.load()
    counts = dict(
        Comment.objects.filter(author=user).values_list("status").annotate(n=Count("pk")).order_by()
    )
    history = list(TrustChange.objects.filter(user=user).select_related("moderator")[:10])
    level = history[0].level if history else Level.AUTO
    return AuthorRecord(
        approved=counts.get(Status.PUBLISHED, 0),
        rejected=sum(counts.get(status, 0) for status in REJECTED_STATUSES),
        held=counts.get(Status.PENDING, 0),
        reports_against=CommentReport.objects.filter(comment__author=user).count(),
        recent_rejections=recent_rejections(user, rules),
        level=level,
        is_trusted=is_trusted(user, rules),
        history=history,
        extra_rows=[row for rows in AUTHOR_RECORD_ROWS for row in rows(user)],
    )
