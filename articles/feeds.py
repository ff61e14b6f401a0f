"""An author's feeds (RSS 2.0, Atom and JSON Feed): their latest published articles, as
discovery.feeds does for tags and sources."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from discovery.feeds import ArticleFeed, JSONFeedMixin
from discovery.meta import absolute_url

from .models import Author


class AuthorFeed(ArticleFeed):
    url_name = "articles:author-feed-rss"

    def get_object(self, request, slug: str) -> Author:
        return get_object_or_404(Author, slug=slug)

    def articles(self, obj: Author):
        return super().articles(obj).filter(authors=obj)

    def title(self, obj: Author) -> str:
        return f"{settings.SITE_NAME}: by {obj.name}"

    def description(self, obj: Author) -> str:
        return f"Articles by {obj.name} on {settings.SITE_NAME}."

    subtitle = description

    def link(self, obj: Author) -> str:
        return absolute_url(obj.get_absolute_url())

    def author_name(self, obj: Author) -> str:
        return obj.name

    def item_author_name(self, item) -> str:
        return ", ".join(byline["name"] for byline in item.bylines)


class AuthorAtomFeed(AuthorFeed):
    feed_type = Atom1Feed
    url_name = "articles:author-feed-atom"


class AuthorJSONFeed(JSONFeedMixin, AuthorFeed):
    url_name = "articles:author-feed-json"


def author_feed_links(author: Author) -> list[dict[str, str]]:
    """The <link rel="alternate"> entries of an author page (discovery/feed_links.html), and
    its visible "Follow" links (`label`)."""
    from django.urls import reverse

    site = settings.SITE_NAME
    return [
        {
            "type": kind,
            "title": f"{site}: by {author.name} ({format_name})",
            "href": reverse(name, kwargs={"slug": author.slug}),
            "label": label,
        }
        for kind, format_name, label, name in (
            ("application/rss+xml", "RSS", "RSS", "articles:author-feed-rss"),
            ("application/atom+xml", "Atom", "Atom", "articles:author-feed-atom"),
            ("application/feed+json", "JSON Feed", "JSON", "articles:author-feed-json"),
        )
    ]
