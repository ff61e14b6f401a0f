"""A boost or favourite shows on its article's page: renew that page's discussion version."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles.models import Article
from newsite import pagecache

from .models import Reaction


@receiver([post_save, post_delete], sender=Reaction)
def reaction_changed(sender, instance: Reaction, **kwargs) -> None:
    slug = Article.objects.filter(pk=instance.article_id).values_list("slug", flat=True).first()
    if slug:
        pagecache.invalidate(pagecache.discussion(slug))
