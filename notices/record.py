"""Notices in the public moderation record (/moderation/): how many came in each month, and
how they were decided. Counts only: nothing in it names a sender, an author or a moderator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.db.models.functions import TruncMonth

from comments.record import MONTHS_SHOWN, Months

from .models import Notice, NoticeDecision

Outcome = NoticeDecision.Outcome
# How the record names each way a notice can end.
OUTCOMES = {
    Outcome.ILLEGAL: "Illegal, removed",
    Outcome.INCOMPATIBLE: "Against the guidelines, removed",
    Outcome.NO_ACTION: "No action",
}
VOID = "Void or withdrawn"


@dataclass
class NoticeMonth:
    month: datetime
    received: int = 0
    ended: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys([*OUTCOMES.values(), VOID], 0)
    )


def monthly_notices(*, months: int = MONTHS_SHOWN) -> list[NoticeMonth]:
    """The last `months` months, newest first: notices received, and notices ended by how."""
    record = Months(months, NoticeMonth)

    def by_month(queryset, date_field: str, *fields: str):
        return (
            queryset.annotate(month=TruncMonth(date_field))
            .values("month", *fields)
            .annotate(total=Count("id"))
        )

    for row in by_month(Notice.objects.filter(received_at__gte=record.first), "received_at"):
        if entry := record.of(row["month"]):
            entry.received += row["total"]
    decisions = NoticeDecision.objects.filter(decided_at__gte=record.first)
    for row in by_month(decisions, "decided_at", "outcome"):
        if entry := record.of(row["month"]):
            entry.ended[OUTCOMES[row["outcome"]]] += row["total"]
    voided = Notice.objects.filter(state=Notice.State.VOID, decided_at__gte=record.first)
    for row in by_month(voided, "decided_at"):
        if entry := record.of(row["month"]):
            entry.ended[VOID] += row["total"]
    return record.newest_first()
