"""Template tags for article pages and listings: head metadata, share links, related articles,
feed links, reading time and the most discussed list."""

import math

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from articles.models import Article, Source, Tag

from .. import meta, oembed, related, share

register = template.Library()

WORDS_PER_MINUTE = 230


@register.inclusion_tag("discovery/article_head.html")
def article_head(article: Article) -> dict:
    """Canonical link, Open Graph, Twitter Card, JSON-LD, the comment feed links and the
    article's oEmbed discovery links. A comment's permalink lands on this page too, but its
    #c<id> never reaches the server: consumers embed a comment by giving its URL to /oembed/."""
    return {
        "canonical_url": meta.article_url(article),
        "open_graph": meta.open_graph(article),
        "twitter_card": meta.twitter_card(article),
        "json_ld": meta.json_for_script(
            meta.json_ld(article, comments=meta.first_comments(article))
        ),
        "feeds": feed_links("comment-feed", article, f"Comments on “{article.title}”"),
        "embeds": oembed.discovery_links(article),
    }


@register.inclusion_tag("discovery/feed_links.html")
def alternate_feeds(obj=None) -> dict:
    """<link rel="alternate"> for the feeds of a tag or a source page, or of the whole site."""
    if isinstance(obj, Tag):
        return {"feeds": feed_links("tag-feed", obj, f"Tagged “{obj.name}”")}
    if isinstance(obj, Source):
        return {"feeds": feed_links("source-feed", obj, f"From {obj.name}")}
    return {"feeds": feed_links("feed", None, "Latest news")}


def feed_links(prefix: str, obj, title: str) -> list[dict[str, str]]:
    kwargs = {"slug": obj.slug} if obj is not None else {}
    site = settings.SITE_NAME
    return [
        {
            "type": "application/rss+xml",
            "title": f"{site}: {title} (RSS)",
            "href": reverse(f"discovery:{prefix}-rss", kwargs=kwargs),
        },
        {
            "type": "application/atom+xml",
            "title": f"{site}: {title} (Atom)",
            "href": reverse(f"discovery:{prefix}-atom", kwargs=kwargs),
        },
        {
            "type": "application/feed+json",
            "title": f"{site}: {title} (JSON Feed)",
            "href": reverse(f"discovery:{prefix}-json", kwargs=kwargs),
        },
    ]


@register.inclusion_tag("discovery/visible_feed_links.html")
def visible_feeds(obj) -> dict:
    """The feeds of a tag or source page as links a reader can see (not only in <head>)."""
    feeds = alternate_feeds(obj)["feeds"]
    labels = {"application/rss+xml": "RSS", "application/atom+xml": "Atom"}
    return {
        "feeds": [{**feed, "label": labels.get(feed["type"], "JSON Feed")} for feed in feeds],
    }


@register.simple_tag
def share_links(article: Article) -> dict:
    """Everything includes/share.html draws: the plain links and the widgets configured."""
    networks = share.share_networks()
    return {
        "url": meta.article_url(article),
        "links": share.share_links(
            title=article.title, url=meta.article_url(article), summary=article.summary
        ),
        "mastodon": "mastodon" in networks,
        "copy": "copy" in networks,
        "native": "native" in networks,
    }


@register.simple_tag
def related_articles(article: Article) -> list[Article]:
    return related.related_articles(article)


@register.simple_tag
def most_discussed_articles(limit: int = 5) -> list[Article]:
    return list(
        Article.objects.published()
        .most_discussed()
        .only("title", "slug", "published_at", "comment_count")[:limit]
    )


def word_count(html: str) -> int:
    return len(strip_tags(html).split())


@register.filter
def reading_minutes(article: Article) -> int:
    """Minutes to read the body at an unhurried pace; at least one."""
    return max(1, math.ceil(word_count(article.body_html) / WORDS_PER_MINUTE))
