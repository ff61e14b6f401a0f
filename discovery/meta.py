"""What an article page tells other sites about itself: canonical URL, Open Graph, Twitter Card
and schema.org JSON-LD. Absolute URLs always come from settings.SITE_URL, never from the Host
header, so a page fetched through any host name names the one canonical address.
"""

import html
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from .cards import HEIGHT, WIDTH, article_card_digest

# JSON-LD comment items: enough to show the discussion, not the whole thread.
JSON_LD_COMMENTS = 5


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def article_url(article) -> str:
    return absolute_url(article.get_absolute_url())


def card_url(article) -> str:
    """Versioned by the card's digest: a new title is a new URL, which social sites refetch."""
    path = reverse("discovery:card", kwargs={"slug": article.slug})
    return f"{absolute_url(path)}?v={article_card_digest(article)}"


def description(article) -> str:
    text = article.summary or html.unescape(strip_tags(article.body_html))
    return Truncator(" ".join(text.split())).chars(200)


def modified_at(article):
    # A scheduled article may have been saved before it went out.
    return max(article.updated_at, article.published_at)


def open_graph(article) -> list[tuple[str, str]]:
    """Open Graph properties as (property, content) pairs; article:tag repeats, so not a dict."""
    tags = [tag.name for tag in article.tags.all()]
    return [
        ("og:type", "article"),
        ("og:site_name", settings.SITE_NAME),
        ("og:locale", og_locale(settings.LANGUAGE_CODE)),
        ("og:title", article.title),
        ("og:description", description(article)),
        ("og:url", article_url(article)),
        ("og:image", card_url(article)),
        ("og:image:type", "image/png"),
        ("og:image:width", str(WIDTH)),
        ("og:image:height", str(HEIGHT)),
        ("og:image:alt", image_alt(article)),
        ("article:published_time", article.published_at.isoformat()),
        ("article:modified_time", modified_at(article).isoformat()),
        *(("article:tag", tag) for tag in tags),
    ]


def twitter_card(article) -> list[tuple[str, str]]:
    return [
        ("twitter:card", "summary_large_image"),
        ("twitter:title", article.title),
        ("twitter:description", description(article)),
        ("twitter:image", card_url(article)),
        ("twitter:image:alt", image_alt(article)),
    ]


def og_locale(language_code: str) -> str:
    """Django's `en-gb` is Open Graph's `en_GB`."""
    language, _, region = language_code.partition("-")
    return f"{language}_{region.upper()}" if region else language


def image_alt(article) -> str:
    return f"{article.title} · {settings.SITE_NAME}"


def bylines(article) -> list[dict[str, Any]]:
    """The article's authors as schema.org people, with their pages (stored on the row)."""
    return [
        {
            "@type": "Person",
            "name": byline["name"],
            "url": absolute_url(reverse("articles:author", kwargs={"slug": byline["slug"]})),
        }
        for byline in article.bylines
    ]


def publisher() -> dict[str, Any]:
    return {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": settings.SITE_URL + "/",
        "logo": {
            "@type": "ImageObject",
            "url": absolute_url(static("icons/logo.png")),
            "width": 192,
            "height": 192,
        },
    }


def first_comments(article, limit: int = JSON_LD_COMMENTS) -> list:
    """The earliest counted comments in one query, or none when the article has none."""
    if not article.comment_count:
        return []
    from comments.discussion import shown_to_everyone
    from comments.models import Comment

    comments = shown_to_everyone(Comment.objects.counted().filter(article=article), article)
    return list(comments.with_author().order_by("created_at", "id")[:limit])


def comment_json_ld(comment, article_url: str) -> dict[str, Any]:
    data = {
        "@type": "Comment",
        "url": f"{article_url}#{comment.anchor}",
        "dateCreated": comment.created_at,
        "text": html.unescape(strip_tags(comment.body_html)).strip(),
        "author": {"@type": "Person", "name": comment.author_name},
    }
    # A reply from the fediverse names its original (federation.RemoteComment).
    if remote := getattr(comment, "remote", None):
        data["sameAs"] = remote.url
    return data


def json_ld(article, *, comments: list) -> dict[str, Any]:
    """A schema.org NewsArticle; `comments` come from `first_comments`."""
    url = article_url(article)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": Truncator(article.title).chars(110),
        "description": description(article),
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "image": [card_url(article)],
        "datePublished": article.published_at,
        "dateModified": modified_at(article),
        "keywords": [tag.name for tag in article.tags.all()],
        "publisher": publisher(),
        "author": bylines(article) or publisher(),
        "isAccessibleForFree": True,
        "commentCount": article.comment_count,
    }
    sources = [source.name for source in article.sources.all()]
    if sources:
        data["sourceOrganization"] = [{"@type": "Organization", "name": s} for s in sources]
    if comments:
        data["comment"] = [comment_json_ld(comment, url) for comment in comments]
    return data


_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_for_script(data: Any) -> SafeString:
    """JSON safe inside <script>: `</script>` or `<!--` in a title cannot end the element.

    The same escaping as Django's json_script filter, which cannot set type="application/ld+json".
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped just above
