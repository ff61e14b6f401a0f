"""Anonymous page cache invalidation: a discussion change renews its article and the lists.

Signals catch every path (services, admin, shell); counters updated with F() expressions are
covered by the row written beside them (a like, a report, a moderation log entry).
"""

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article
from newsite import pagecache

from .models import Comment, CommentLike, CommentReport, ModerationAction, ModerationSettings


def _discussion_changed(article_id: int, slug: str | None = None) -> None:
    slug = slug or Article.objects.filter(pk=article_id).values_list("slug", flat=True).first()
    if slug:
        pagecache.invalidate(pagecache.LISTS, pagecache.discussion(slug))


@receiver([post_save, post_delete], sender=Comment)
def comment_changed(sender, instance: Comment, **kwargs) -> None:
    known = instance.article.slug if Comment.article.is_cached(instance) else None
    _discussion_changed(instance.article_id, known)


@receiver([post_save, post_delete], sender=CommentLike)
@receiver([post_save, post_delete], sender=CommentReport)
@receiver([post_save, post_delete], sender=ModerationAction)
def comment_activity(sender, instance, **kwargs) -> None:
    article_id = Comment.objects.filter(pk=instance.comment_id).values_list("article_id", flat=True)
    if article_id:
        _discussion_changed(article_id[0])


@receiver(post_save, sender=ModerationSettings)
def rules_changed(sender, **kwargs) -> None:
    # Whether comments are open shows on every article page.
    pagecache.invalidate(pagecache.SITE)


@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
def author_deleted(sender, **kwargs) -> None:
    """Their comments stay as "deleted user" (SET_NULL, which sends no signal of its own)."""
    pagecache.invalidate(pagecache.SITE)


@receiver(post_save, sender=settings.AUTH_USER_MODEL)
def author_may_be_renamed(sender, instance, created: bool, update_fields=None, **kwargs) -> None:
    """A reader's name shows in every discussion they joined: renew every page (a rare write).

    Saves that cannot change the name (a login's last_login) are skipped.
    """
    if created or (update_fields is not None and not {"display_name", "email"} & update_fields):
        return
    pagecache.invalidate(pagecache.SITE)
