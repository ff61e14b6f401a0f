"""Daily and weekly digests: one e-mail per reader and frequency, grouping the waiting comments
by article.

The notification task (comments.notifications) keeps a DigestEntry for each comment a reader
chose to hear about in a digest. `manage.py send_digests`, run by one cron line every hour,
sends each reader's digest once its oldest entry has waited the digest's period (a day, a
week): five replies in one day make one e-mail. Each run is idempotent and catches up after
a missed one, so the schedule needs no state besides the entries themselves.

Why cron and not a task that queues itself again (`run_after`): a self-renewing chain breaks
silently if one run fails and doubles if it is started twice (each deploy, each worker); a
cron line is one place to look, and the README already keeps a daily cron line for pruning
finished tasks. The command only queues the mails: the worker sends them, as every mail.

Settings are read when the digest is sent, so a changed setting applies to what is waiting:
entries of a kind turned off are dropped, and those of a kind switched to "immediately" go out
at the next run. So are entries about comments no longer published, and about commenters the
reader has muted since.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import MailFrequency
from newsite.tasks import enqueue_email

from .models import DigestEntry, Mute
from .notifications import KIND_DIGEST, KIND_FOLLOW, PREFERENCES, unsubscribe_url

# How long a digest's first comment waits before the digest goes out.
PERIODS = {
    MailFrequency.IMMEDIATELY: dt.timedelta(0),
    MailFrequency.DAILY: dt.timedelta(days=1),
    MailFrequency.WEEKLY: dt.timedelta(days=7),
}
TITLES = {
    MailFrequency.IMMEDIATELY: gettext_lazy("New comments for you"),
    MailFrequency.DAILY: gettext_lazy("Your daily digest"),
    MailFrequency.WEEKLY: gettext_lazy("Your weekly digest"),
}
KIND_LINKS = {
    "reply": gettext_lazy("Replies to your comments"),
    "staff_reply": gettext_lazy("Replies from the newsroom"),
    KIND_FOLLOW: gettext_lazy("New comments in discussions you follow"),
}


@dataclass
class ArticleGroup:
    article: object
    url: str
    entries: list = field(default_factory=list)


@dataclass
class DigestReport:
    sent: int = 0
    comments: int = 0
    dropped: int = 0


def _is_stale(entry: DigestEntry, muted: set[int]) -> bool:
    comment = entry.comment
    return not comment.is_counted or (
        comment.author_id in muted and not (comment.author and comment.author.is_staff)
    )


def _message(*, user, frequency: str, entries: list[DigestEntry]) -> EmailMultiAlternatives:
    """Plain text plus an HTML part with each comment's Markdown rendered, as notifications."""
    groups: dict[int, ArticleGroup] = {}
    for entry in sorted(entries, key=lambda e: (e.comment.created_at, e.comment_id)):
        article = entry.comment.article
        if article.pk not in groups:
            url = settings.SITE_URL + article.get_absolute_url()
            groups[article.pk] = ArticleGroup(article=article, url=url)
        entry.comment_url = settings.SITE_URL + entry.comment.get_absolute_url()
        groups[article.pk].entries.append(entry)
    link = unsubscribe_url(user_id=user.pk, kind=KIND_DIGEST, frequency=frequency)
    kinds = sorted({entry.kind for entry in entries})
    context = {
        "recipient": user,
        "title": TITLES[frequency],
        "frequency": frequency,
        "groups": list(groups.values()),
        "count": len(entries),
        "unsubscribe_url": link,
        "kind_links": [
            (KIND_LINKS[kind], unsubscribe_url(user_id=user.pk, kind=kind)) for kind in kinds
        ],
        "settings_url": settings.SITE_URL + reverse("accounts:profile"),
        "site_name": settings.SITE_NAME,
    }
    subject = " ".join(render_to_string("comments/email/digest_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("comments/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    html = render_to_string("comments/email/digest.html", {**context, "subject": subject})
    message.attach_alternative(html, "text/html")
    return message


def digest_send_for(*, user_id: int, now: dt.datetime, dry_run: bool = False) -> DigestReport:
    """Send this reader's due digests (one mail per frequency) and forget what they held."""
    report = DigestReport()
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().filter(pk=user_id).first()
        if user is None:
            return report
        entries = list(
            DigestEntry.objects.filter(user=user).select_related(
                "comment__article", "comment__author"
            )
        )
        muted = set(Mute.objects.filter(user=user).values_list("muted_id", flat=True))
        by_frequency: dict[str, list[DigestEntry]] = defaultdict(list)
        dropped: list[int] = []
        for entry in entries:
            frequency = getattr(user, PREFERENCES[entry.kind])
            if frequency == MailFrequency.OFF or _is_stale(entry, muted):
                dropped.append(entry.pk)
            else:
                by_frequency[frequency].append(entry)
        if not (user.is_active and user.email):
            dropped = [entry.pk for entry in entries]
            by_frequency.clear()
        done: list[int] = []
        for frequency, waiting in by_frequency.items():
            oldest = min(entry.created_at for entry in waiting)
            if oldest > now - PERIODS[frequency]:
                continue
            if not dry_run:
                enqueue_email(_message(user=user, frequency=frequency, entries=waiting))
            done.extend(entry.pk for entry in waiting)
            report.sent += 1
            report.comments += len(waiting)
        report.dropped = len(dropped)
        if not dry_run:
            DigestEntry.objects.filter(pk__in=done + dropped).delete()
    return report


def digests_send(*, now: dt.datetime | None = None, dry_run: bool = False) -> DigestReport:
    """Every reader's due digests; safe to run as often as you like (cron: hourly)."""
    now = now or timezone.now()
    total = DigestReport()
    user_ids = DigestEntry.objects.order_by("user_id").values_list("user_id", flat=True).distinct()
    for user_id in list(user_ids):
        report = digest_send_for(user_id=user_id, now=now, dry_run=dry_run)
        total.sent += report.sent
        total.comments += report.comments
        total.dropped += report.dropped
    return total
