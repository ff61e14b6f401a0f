"""Which saves are which events. Every receiver only registers work for after the commit
(services.event_send_on_commit): a request pays no query for webhooks, and a rolled-back write
sends nothing.

Raw saves (fixtures, loaddata) are not events. Imports stay silent because they write with
bulk_create, which sends no post_save: keep them that way rather than adding a "quiet" switch.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, ModerationAction
from notices.models import Notice

from . import payloads
from .models import Event
from .services import event_send_on_commit

Action = ModerationAction.Action
HELD = {Action.PENDING, Action.AUTO_HELD}
REMOVED = {Action.REMOVED, Action.SPAM, Action.HIDDEN}


def _comment_event(event: str, comment: Comment) -> None:
    snapshot = payloads.comment_snapshot(comment)
    event_send_on_commit(event=event, data=partial(payloads.comment_data, snapshot))


@receiver(post_save, sender=Comment, dispatch_uid="webhooks_comment_saved")
def comment_saved(sender, instance: Comment, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created:
        return
    _comment_event(Event.COMMENT_CREATED, instance)
    if instance.status == Comment.Status.PENDING:
        _comment_event(Event.COMMENT_HELD, instance)
        # comment_create logs the hold as an AUTO_HELD action next: one comment.held is enough.
        instance._webhooks_held_sent = True


@receiver(post_save, sender=ModerationAction, dispatch_uid="webhooks_moderation_saved")
def moderation_saved(
    sender, instance: ModerationAction, created: bool, raw: bool = False, **kwargs
) -> None:
    if raw or not created:
        return
    if instance.action == Action.PUBLISHED:
        event = Event.COMMENT_PUBLISHED
    elif instance.action in REMOVED:
        event = Event.COMMENT_REMOVED
    elif instance.action in HELD:
        if getattr(instance.comment, "_webhooks_held_sent", False):
            return
        event = Event.COMMENT_HELD
    else:
        return  # pinned, flagged, censored, review requested: not events
    _comment_event(event, instance.comment)


@receiver(post_save, sender=Notice, dispatch_uid="webhooks_notice_saved")
def notice_saved(sender, instance: Notice, created: bool, raw: bool = False, **kwargs) -> None:
    if raw or not created:
        return
    event_send_on_commit(event=Event.NOTICE_RECEIVED, data=payloads.notice_snapshot(instance))


# --- article.published: when readers can first see it -------------------------------------
# Publishing is a save with status "published"; a future published_at schedules it, and
# Article.objects.published() shows it from then without any write. So: a save that makes an
# article visible sends the event after its commit, and a save that schedules one queues a task
# for that moment, which sends it if the article is still due then (webhooks/tasks.py).


@receiver(pre_save, sender=Article, dispatch_uid="webhooks_article_saving")
def article_saving(sender, instance: Article, raw: bool = False, update_fields=None, **kwargs):
    """Remember whether the article was visible, or scheduled for when, before this save."""
    instance._webhooks_before = (False, None)
    if raw or instance.pk is None or instance.status != Article.Status.PUBLISHED:
        return
    if update_fields is not None and not {"status", "published_at"} & set(update_fields):
        instance._webhooks_before = None  # nothing that matters changes
        return
    row = Article.objects.filter(pk=instance.pk).values_list("status", "published_at").first()
    if row and row[0] == Article.Status.PUBLISHED:
        live = row[1] <= timezone.now()
        instance._webhooks_before = (live, None if live else row[1])


@receiver(post_save, sender=Article, dispatch_uid="webhooks_article_saved")
def article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    before = getattr(instance, "_webhooks_before", (False, None))
    if raw or before is None or instance.status != Article.Status.PUBLISHED:
        return
    was_live, was_scheduled_for = before
    if instance.is_published:
        if not was_live:
            event_send_on_commit(
                event=Event.ARTICLE_PUBLISHED, data=payloads.article_snapshot(instance)
            )
    elif instance.published_at != was_scheduled_for:
        from .tasks import publish_scheduled

        when = instance.published_at
        transaction.on_commit(
            partial(publish_scheduled.using(run_after=when).enqueue, instance.pk, when.isoformat()),
            robust=True,
        )
