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

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce
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


@dataclass(frozen=True)
class Standing:
    """What the rules need to know about a reader, read in one query (`standing()`)."""

    level: str  # set by hand, or AUTO
    approved: int  # published comments (a later deletion by the author does not undo that)
    recent_rejections: int  # rejected among their latest decided comments in the window


def _count(queryset) -> Coalesce:
    return Coalesce(
        Subquery(queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")),
        0,
    )


def standing(user, rules: ModerationSettings, *, besides: Comment | None = None) -> Standing:
    """The reader's level, approved comments (`besides` one) and recent rejections.

    Recent means the latest `rejection_window_comments` decided comments within
    `rejection_window_days`. Comments still waiting for a moderator count neither way:
    posting more held comments must not wash old rejections out; only approvals and time do.
    One query, subqueries on the user's row: posting must stay cheap.
    """
    approved = Comment.objects.filter(author=OuterRef("pk"), status=Status.PUBLISHED)
    if besides is not None:
        approved = approved.exclude(pk=besides.pk)
    since = timezone.now() - timedelta(days=rules.rejection_window_days)
    latest_decided = (
        Comment.objects.filter(author=OuterRef(OuterRef("pk")), created_at__gte=since)
        .exclude(status=Status.PENDING)
        .order_by("-created_at", "-id")
        .values("pk")[: rules.rejection_window_comments]
    )
    rejected = Comment.objects.filter(pk__in=latest_decided, status__in=REJECTED_STATUSES)
    level = TrustChange.objects.filter(user=OuterRef("pk")).order_by("-created_at", "-id")
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            trust_level=Subquery(level.values("level")[:1]),
            approved_count=_count(approved),
            rejected_count=_count(rejected),
        )
        .values_list("trust_level", "approved_count", "rejected_count")
        .get()
    )
    return Standing(level=row[0] or Level.AUTO, approved=row[1], recent_rejections=row[2])


def _trusted(reader: Standing, rules: ModerationSettings) -> bool:
    if reader.level != Level.AUTO:
        return reader.level == Level.TRUSTED
    return reader.approved >= rules.trusted_after_comments


def is_trusted(
    user, rules: ModerationSettings | None = None, *, reader: Standing | None = None
) -> bool:
    """Whether this reader skips the holds meant for new accounts (first comment, links).
    `reader`, their standing when the caller has it already, saves the query."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    rules = rules or ModerationSettings.load()
    return _trusted(reader or standing(user, rules), rules)


def hold_reason(
    author,
    rules: ModerationSettings,
    *,
    editing: Comment | None = None,
    reader: Standing | None = None,
) -> str:
    """Why this author's new text waits for a moderator, or "" if it need not.

    `editing` is the comment whose text is changing: it does not count as an approved one,
    so a reader cannot get a first comment approved and then rewrite it. `reader`, the
    author's standing when the caller has it already (besides `editing`), saves the query.
    """
    if author.is_staff:
        return ""  # editors are created by hand and vouched for
    reader = reader or standing(author, rules, besides=editing)
    if rules.rejection_limit and reader.recent_rejections >= rules.rejection_limit:
        return RECENT_REJECTIONS_REASON
    if reader.level == Level.UNTRUSTED:
        return UNTRUSTED_REASON
    if rules.first_comment_held and reader.approved == 0 and not _trusted(reader, rules):
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
    reader = standing(user, rules)
    return AuthorRecord(
        approved=counts.get(Status.PUBLISHED, 0),
        rejected=sum(counts.get(status, 0) for status in REJECTED_STATUSES),
        held=counts.get(Status.PENDING, 0),
        reports_against=CommentReport.objects.filter(comment__author=user).count(),
        recent_rejections=reader.recent_rejections,
        level=level,
        is_trusted=bool(user.is_staff) or _trusted(reader, rules),  # standing read once
        history=history,
        extra_rows=[row for rows in AUTHOR_RECORD_ROWS for row in rows(user)],
    )
