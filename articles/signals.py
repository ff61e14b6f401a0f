"""Anonymous page cache invalidation for article, tag and source writes (admin, import, shell)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from newsite import pagecache

from .models import Article, Source, Tag


@receiver([post_save, post_delete], sender=Article)
@receiver([post_save, post_delete], sender=Tag)
@receiver([post_save, post_delete], sender=Source)
@receiver(m2m_changed, sender=Article.tags.through)
@receiver(m2m_changed, sender=Article.sources.through)
def article_content_changed(sender, action: str = "post", **kwargs) -> None:
    if not action.startswith("post"):
        return  # m2m_changed's pre_add/pre_remove: the post_ signal follows
    # Titles, tags and sources show on every page, so these writes renew everything.
    pagecache.invalidate(pagecache.SITE, schedule=sender is Article)
