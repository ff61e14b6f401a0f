"""Template tags for the article header and the front page: the kicker, the "updated" line and
the tag sections. Each costs a constant number of queries, however many tags or stories show."""

import datetime as dt
from dataclasses import dataclass

from django import template
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from articles.models import Article, Tag

register = template.Library()

# An edit within this time of publication is part of publishing, not an update worth showing.
UPDATE_GRACE = dt.timedelta(hours=1)


@register.filter
def primary_tag(article: Article) -> Tag | None:
    """The kicker: the article's first tag (tags are prefetched on every page that shows one)."""
    tags = list(article.tags.all())
    return tags[0] if tags else None


@register.filter
def was_updated(article: Article) -> bool:
    return article.updated_at - article.published_at > UPDATE_GRACE


@dataclass(frozen=True)
class TagSection:
    tag: Tag
    articles: list[Article]


@register.simple_tag
def tag_sections(*, exclude=(), tags: int = 4, per_tag: int = 4) -> list[TagSection]:
    """The tags with the most published stories, each with its latest stories (those already
    shown higher on the page left out).

    One query, however many tags and stories: each (tag, story) pair is ranked within its tag
    by date and counted per tag by window functions; the busiest tags' pairs come first, so the
    first tags * per_tag rows hold every story the sections show.
    """
    shown = [article.pk for article in exclude]
    stories = Article.objects.published().exclude(pk__in=shown)
    by_tag = Window(Count("pk"), partition_by=F("tag_id"))
    latest_first = [F("article__published_at").desc(), F("article_id").desc()]
    rows = (
        Article.tags.through.objects.filter(article__in=stories)
        .annotate(
            rank=Window(RowNumber(), partition_by=F("tag_id"), order_by=latest_first),
            tag_stories=by_tag,
        )
        .filter(rank__lte=per_tag)
        .select_related("tag", "article")
        .defer("article__body", "article__body_html")
        .order_by("-tag_stories", "tag__name", "tag_id", "rank")[: tags * per_tag]
    )
    sections: dict[int, TagSection] = {}
    for row in rows:
        if row.tag_id not in sections:
            if len(sections) == tags:
                break
            sections[row.tag_id] = TagSection(row.tag, [])
        sections[row.tag_id].articles.append(row.article)
    return list(sections.values())
