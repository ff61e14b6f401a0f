"""The public moderation record: what happened to comments, in numbers and without names.

Each discussion shows its own numbers, a reader whose comment is held sees how long reviews
take, and /moderation/ shows the same per month. The figures are kept in the cache for
RECORD_TIMEOUT seconds: statistics a few minutes old are fine, and a page view then costs no
query for them.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from articles.models import Article

from .models import Comment, ModerationAction

RECORD_TIMEOUT = 5 * 60
REVIEW_WINDOW = timedelta(days=7)
MONTHS_SHOWN = 12

Action = ModerationAction.Action
Status = Comment.Status
# A moderator's verdict on a comment, which ends a wait for review.
VERDICTS = (Action.PUBLISHED, Action.PENDING, Action.HIDDEN, Action.SPAM, Action.REMOVED)
# Verdicts that take a comment down, by the reason the record shows.
TAKEN_DOWN = {Action.REMOVED: "Removed", Action.SPAM: "Spam", Action.HIDDEN: "Hidden"}
WAIT_UNITS = (("day", 24 * 60), ("hour", 60), ("minute", 1))


def describe_wait(wait: timedelta | None) -> str:
    """A review time as readers say it: "under a minute", "40 minutes", "3 hours", "2 days"."""
    if wait is None:
        return "no reviews yet"
    minutes = int(wait.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    unit, size = next((unit, size) for unit, size in WAIT_UNITS if minutes >= size)
    count = round(minutes / size)
    return f"{count} {unit}{'s' if count != 1 else ''}"


def review_waits(
    *, since: datetime, article: Article | None = None
) -> list[tuple[datetime, timedelta]]:
    """When each review since `since` happened, and how long its comment had waited.

    A wait starts when a comment is held automatically (a first comment, reports, a rule) and
    ends at a moderator's next verdict on it.
    """
    reviewed = ModerationAction.objects.filter(
        created_at__gte=since, moderator__isnull=False, action__in=VERDICTS
    )
    if article is not None:
        reviewed = reviewed.filter(comment__article=article)
    history = (
        ModerationAction.objects.filter(
            comment_id__in=reviewed.values("comment_id"), action__in=[Action.AUTO_HELD, *VERDICTS]
        )
        .order_by("comment_id", "created_at", "id")
        .values_list("comment_id", "action", "moderator_id", "created_at")
    )
    waits = []
    held_since: dict[int, datetime] = {}
    for comment_id, action, moderator_id, at in history:
        if action == Action.AUTO_HELD:
            held_since.setdefault(comment_id, at)
        elif moderator_id is not None and comment_id in held_since:
            started = held_since.pop(comment_id)
            if at >= since:
                waits.append((at, at - started))
    return waits


def _median(waits: list[timedelta]) -> timedelta | None:
    return statistics.median(waits) if waits else None


def median_review_wait() -> timedelta | None:
    """The site's median wait for review over the last REVIEW_WINDOW."""

    def compute() -> timedelta | None:
        waits = review_waits(since=timezone.now() - REVIEW_WINDOW)
        return _median([wait for _, wait in waits])

    return _cached("record:median-wait", compute)


def median_wait_text() -> str:
    """What a reader whose comment is held is told about the wait."""
    return describe_wait(median_review_wait())


def _cached(key: str, compute):
    # get_or_set would store None as "missing" on some backends; a wrapper keeps None too.
    kept = cache.get(key)
    if kept is None:
        kept = (compute(),)
        cache.set(key, kept, RECORD_TIMEOUT)
    return kept[0]


@dataclass(frozen=True)
class DiscussionRecord:
    published: int
    held: int
    taken_down: dict[str, int]
    median_wait: timedelta | None

    @property
    def median_wait_text(self) -> str:
        return describe_wait(self.median_wait)


def discussion_record(article: Article) -> DiscussionRecord:
    """This discussion's comments by what moderation made of them, and its median review time
    over the last REVIEW_WINDOW."""

    def compute() -> DiscussionRecord:
        counts = Comment.objects.filter(article=article, deleted_at__isnull=True).aggregate(
            published=Count("id", filter=Q(status=Status.PUBLISHED)),
            held=Count("id", filter=Q(status=Status.PENDING)),
            **{
                status: Count("id", filter=Q(status=status))
                for status in (Status.HIDDEN, Status.SPAM, Status.REMOVED)
            },
        )
        waits = review_waits(since=timezone.now() - REVIEW_WINDOW, article=article)
        return DiscussionRecord(
            published=counts["published"],
            held=counts["held"],
            taken_down={label: counts[action] for action, label in TAKEN_DOWN.items()},
            median_wait=_median([wait for _, wait in waits]),
        )

    return _cached(f"record:discussion:{article.pk}", compute)


class Months:
    """The last `count` calendar months (local time), each with an entry made by
    `entry(month=<its first day>)`, to which figures are added by date."""

    def __init__(self, count: int, entry) -> None:
        now = timezone.localtime()
        first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        for _ in range(count - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        self.first = first
        self.entries = {}
        month = first
        while month <= now:
            self.entries[(month.year, month.month)] = entry(month=month)
            month = (month + timedelta(days=32)).replace(day=1)

    def of(self, value: datetime):
        """The entry of the month `value` falls in, or None outside the months shown."""
        local = timezone.localtime(value)
        return self.entries.get((local.year, local.month))

    def newest_first(self) -> list:
        return sorted(self.entries.values(), key=lambda entry: entry.month, reverse=True)


@dataclass
class MonthRecord:
    month: datetime
    published: int = 0
    held: int = 0
    taken_down: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(TAKEN_DOWN.values(), 0)
    )
    waits: list[timedelta] = field(default_factory=list)

    @property
    def median_wait_text(self) -> str:
        return describe_wait(_median(self.waits))


def monthly_record(*, months: int = MONTHS_SHOWN) -> list[MonthRecord]:
    """The last `months` calendar months, newest first: comments published, holds, take-downs
    by reason, and the median review time. Nothing in it names a person."""
    record = Months(months, MonthRecord)
    first, month_of = record.first, record.of

    published = (
        Comment.objects.filter(created_at__gte=first, status=Status.PUBLISHED)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(total=Count("id"))
    )
    for row in published:
        if entry := month_of(row["month"]):
            entry.published = row["total"]
    actions = (
        ModerationAction.objects.filter(created_at__gte=first)
        .filter(Q(action=Action.AUTO_HELD) | Q(moderator__isnull=False, action__in=TAKEN_DOWN))
        .annotate(month=TruncMonth("created_at"))
        .values("month", "action")
        .annotate(total=Count("id"))
    )
    for row in actions:
        if entry := month_of(row["month"]):
            if row["action"] == Action.AUTO_HELD:
                entry.held += row["total"]
            else:
                entry.taken_down[TAKEN_DOWN[row["action"]]] += row["total"]
    for reviewed_at, wait in review_waits(since=first):
        if entry := month_of(reviewed_at):
            entry.waits.append(wait)
    return record.newest_first()
