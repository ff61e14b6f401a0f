"""Articles on the fediverse follow the article's life, as webhooks/signals.py does:

- a save that makes an article visible queues Create (a future publication time queues a task
  for that moment, which sends Create if the article is still due then);
- a save of a visible article that changes what it shows queues Update;
- a save that hides a visible article (back to draft, or moved to the future), or its deletion,
  queues Delete.

A remote boost or favourite (Reaction) renews its article's discussion version.

Every receiver only queues a task after the commit, and only if the site has followers (one
query then); the worker builds the activity and fans it out to them. Raw saves (fixtures) and
bulk imports (bulk_create) send nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from articles.models import Article
from newsite import pagecache

from .models import Reaction

# A save touching only these changes nothing other servers show.
UNSHOWN_FIELDS = {"comment_count", "bylines", "seed_digest", "seed_file", "updated_at"}


def _queue(task, *args, run_after=None) -> None:
    """Queue the task after the commit, if anyone follows the site: a site nobody follows
    (most development and test databases) queues nothing."""

    def queue() -> None:
        from .models import Follower

        if Follower.objects.exists():
            (task.using(run_after=run_after) if run_after else task).enqueue(*args)

    transaction.on_commit(queue, robust=True)


@receiver(pre_save, sender=Article, dispatch_uid="federation_article_saving")
def article_saving(sender, instance: Article, raw: bool = False, update_fields=None, **kwargs):
    """Remember whether the article was visible, and its scheduled time, before this save."""
    instance._federation_before = (False, None)
    if raw or instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= UNSHOWN_FIELDS:
        instance._federation_before = None  # nothing that matters changes
        return
    row = Article.objects.filter(pk=instance.pk).values_list("status", "published_at").first()
    if row and row[0] == Article.Status.PUBLISHED:
        live = row[1] <= timezone.now()
        instance._federation_before = (live, None if live else row[1])


@receiver(post_save, sender=Article, dispatch_uid="federation_article_saved")
def article_saved(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    from . import tasks

    before = getattr(instance, "_federation_before", (False, None))
    if raw or before is None:
        return
    was_live, was_scheduled_for = before
    if instance.is_published:
        _queue(tasks.article_changed, instance.pk, "Update" if was_live else "Create")
    elif was_live:
        _queue(tasks.article_gone, instance.pk, instance.slug)
    elif instance.status == Article.Status.PUBLISHED and instance.published_at != was_scheduled_for:
        when = instance.published_at
        _queue(tasks.publish_scheduled, instance.pk, when.isoformat(), run_after=when)


@receiver(post_delete, sender=Article, dispatch_uid="federation_article_deleted")
def article_deleted(sender, instance: Article, **kwargs) -> None:
    from . import tasks

    if instance.is_published:
        _queue(tasks.article_gone, instance.pk, instance.slug)


@receiver([post_save, post_delete], sender=Reaction, dispatch_uid="federation_reaction")
def reaction_changed(sender, instance: Reaction, **kwargs) -> None:
    """A boost or favourite shows on its article's page: renew its discussion version."""
    slug = Article.objects.filter(pk=instance.article_id).values_list("slug", flat=True).first()
    if slug:
        pagecache.invalidate(pagecache.discussion(slug))


@receiver(post_save, sender="notices.StatementOfReasons", dispatch_uid="federation_statement")
def statement_issued(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """A statement about a remote author's comment goes to them as a direct Note."""
    from .inbound import send_statement_to_remote_author
    from .models import RemoteAuthor

    if created and not raw and RemoteAuthor.objects.filter(user_id=instance.recipient_id).exists():
        _queue(send_statement_to_remote_author, instance.pk)


@receiver(post_save, sender="comments.Comment", dispatch_uid="federation_answer_published")
def answer_published(sender, instance, raw: bool = False, **kwargs) -> None:
    """A reply the reader asked to send to a remote author goes once it is published."""
    from .answers import answer_waiting, send_answer

    if not raw and instance.parent_id and instance.is_counted and answer_waiting(instance):
        _queue(send_answer, instance.pk)
