"""Anonymous page cache invalidation for article, tag and source writes (admin, import, shell),
and the bylines each article keeps from its authors."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from newsite import pagecache

from .models import Article, ArticleAuthor, Author, Source, Tag, byline_of


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


def refresh_bylines(article_ids) -> None:
    """Copy the authors onto each article's `bylines`, and renew the pages that show them: the
    byline is in every card and article header, and the Author badge in the discussion."""
    slugs = []
    for article_id in set(article_ids):
        if Article.objects.filter(pk=article_id).update(bylines=byline_of(article_id)):
            slugs.append(Article.objects.filter(pk=article_id).values_list("slug", flat=True)[0])
    if slugs:
        pagecache.invalidate(pagecache.SITE, *map(pagecache.discussion, slugs))


@receiver([post_save, post_delete], sender=ArticleAuthor)
def byline_changed(sender, instance: ArticleAuthor, **kwargs) -> None:
    refresh_bylines([instance.article_id])


@receiver(m2m_changed, sender=ArticleAuthor)
def bylines_set(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    """article.authors.add()/set()/clear() (and author.articles...), which send no post_save."""
    if reverse and action == "pre_clear":  # afterwards, which articles it left is unknown
        instance._cleared_articles = list(instance.bylined.values_list("article_id", flat=True))
    if not action.startswith("post"):
        return
    if not reverse:
        refresh_bylines([instance.pk])
    else:
        refresh_bylines(pk_set or getattr(instance, "_cleared_articles", []))


@receiver([post_save, post_delete], sender=Author)
def author_changed(sender, instance: Author, created: bool = False, **kwargs) -> None:
    """Their page changed; so did their bylines, if their name or address did."""
    if kwargs["signal"] is post_save and not created:
        refresh_bylines(instance.bylined.values_list("article_id", flat=True))
    pagecache.invalidate(pagecache.SITE)
