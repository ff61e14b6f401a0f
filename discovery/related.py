"""Related articles: most shared tags, then most shared sources, then the newest."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from articles.models import Article

RELATED_LIMIT = 4


def _shared(through, column: str, article: Article) -> Coalesce:
    """How many of `article`'s tags (or sources) the outer row has, as a correlated subquery."""
    mine = through.objects.filter(article_id=article.pk).values(column)
    shared = (
        through.objects.filter(article_id=OuterRef("pk"), **{f"{column}__in": mine})
        .order_by()
        .values("article_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(shared, output_field=IntegerField()), Value(0))


def related_articles(article: Article, *, limit: int = RELATED_LIMIT) -> list[Article]:
    """Published articles sharing a tag or a source with `article`, in one query.

    The tag and source sets are subqueries, not Python lists, so the query is the same however
    many tags the article has.
    """
    tag_through = Article.tags.through
    source_through = Article.sources.through
    mine_tags = tag_through.objects.filter(article_id=article.pk).values("tag_id")
    mine_sources = source_through.objects.filter(article_id=article.pk).values("source_id")
    candidates = Q(pk__in=tag_through.objects.filter(tag_id__in=mine_tags).values("article_id"))
    candidates |= Q(
        pk__in=source_through.objects.filter(source_id__in=mine_sources).values("article_id")
    )
    return list(
        Article.objects.published()
        .filter(candidates)
        .exclude(pk=article.pk)
        .annotate(
            shared_tags=_shared(tag_through, "tag_id", article),
            shared_sources=_shared(source_through, "source_id", article),
        )
        .only("title", "slug", "summary", "published_at", "comment_count")
        .order_by("-shared_tags", "-shared_sources", "-published_at", "-id")[:limit]
    )
