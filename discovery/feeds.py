"""RSS 2.0, Atom and JSON Feed 1.1 feeds: the whole site, each tag, each source, and one article's
comments. Each format is a subclass that changes only `feed_type` and its URL name.

Every link is absolute from settings.SITE_URL (the syndication framework only prefixes a domain
to relative links), so feeds name the canonical address whatever Host they were fetched through.
"""

import html

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape, format_html, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext

from articles.models import Article, Source, Tag

from .jsonfeed import JSONFeed
from .meta import absolute_url, article_url, description

FEED_ITEMS = 30


class JSONFeedMixin:
    """Serve a feed as JSON Feed 1.1: the same items and item methods, plus the plain-text
    summary and the list of authors that JSON Feed carries and RSS cannot."""

    feed_type = JSONFeed

    def item_extra_kwargs(self, item) -> dict:
        return {
            **super().item_extra_kwargs(item),
            "summary": self.item_summary(item),
            "authors": self.item_authors(item),
        }


class ArticleFeed(Feed):
    """The latest published articles; subclasses narrow `articles()` to a tag or a source."""

    feed_type = Rss201rev2Feed
    url_name = "discovery:feed-rss"
    language = "en"

    def get_object(self, request, *args, **kwargs):
        return None

    def articles(self, obj):
        return Article.objects.published()

    def items(self, obj):
        return self.articles(obj).prefetch_related("tags").defer("body")[:FEED_ITEMS]

    def title(self, obj) -> str:
        return settings.SITE_NAME

    def description(self, obj) -> str:
        return f"The latest news from {settings.SITE_NAME}."

    subtitle = description

    def link(self, obj) -> str:
        return absolute_url(reverse("articles:home"))

    def feed_url(self, obj) -> str:
        kwargs = {"slug": obj.slug} if obj is not None else {}
        return absolute_url(reverse(self.url_name, kwargs=kwargs))

    def feed_guid(self, obj) -> str:
        # Atom's feed id: the home page would be shared by the RSS and Atom feeds.
        return self.feed_url(obj)

    def author_name(self, obj) -> str:
        return settings.SITE_NAME

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        # RSS descriptions and Atom type="html" summaries are HTML: plain text is escaped.
        return escape(description(item))

    def item_link(self, item: Article) -> str:
        return article_url(item)

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return max(item.updated_at, item.published_at)

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in item.tags.all()]

    def item_summary(self, item: Article) -> str:
        return description(item)

    def item_authors(self, item: Article) -> list[dict[str, str]]:
        """The byline, kept on the article: no query per item."""
        return [
            {
                "name": byline["name"],
                "url": absolute_url(reverse("articles:author", kwargs={"slug": byline["slug"]})),
            }
            for byline in item.bylines
        ]


class ArticleAtomFeed(ArticleFeed):
    feed_type = Atom1Feed
    url_name = "discovery:feed-atom"


class ArticleJSONFeed(JSONFeedMixin, ArticleFeed):
    url_name = "discovery:feed-json"


class TagFeed(ArticleFeed):
    url_name = "discovery:tag-feed-rss"

    def get_object(self, request, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def articles(self, obj: Tag):
        return super().articles(obj).filter(tags=obj)

    def title(self, obj: Tag) -> str:
        return f"{settings.SITE_NAME}: tagged “{obj.name}”"

    def description(self, obj: Tag) -> str:
        return f"Articles tagged {obj.name} on {settings.SITE_NAME}."

    subtitle = description

    def link(self, obj: Tag) -> str:
        return absolute_url(obj.get_absolute_url())


class TagAtomFeed(TagFeed):
    feed_type = Atom1Feed
    url_name = "discovery:tag-feed-atom"


class TagJSONFeed(JSONFeedMixin, TagFeed):
    url_name = "discovery:tag-feed-json"


class SourceFeed(ArticleFeed):
    url_name = "discovery:source-feed-rss"

    def get_object(self, request, slug: str) -> Source:
        return get_object_or_404(Source, slug=slug)

    def articles(self, obj: Source):
        return super().articles(obj).filter(sources=obj)

    def title(self, obj: Source) -> str:
        return f"{settings.SITE_NAME}: from {obj.name}"

    def description(self, obj: Source) -> str:
        return f"Articles from {obj.name} on {settings.SITE_NAME}."

    subtitle = description

    def link(self, obj: Source) -> str:
        return absolute_url(obj.get_absolute_url())


class SourceAtomFeed(SourceFeed):
    feed_type = Atom1Feed
    url_name = "discovery:source-feed-atom"


class SourceJSONFeed(JSONFeedMixin, SourceFeed):
    url_name = "discovery:source-feed-json"


class CommentFeed(Feed):
    """Published comments on one article, newest first."""

    feed_type = Rss201rev2Feed
    url_name = "discovery:comment-feed-rss"
    language = "en"

    def get_object(self, request, slug: str) -> Article:
        return get_object_or_404(Article.objects.published(), slug=slug)

    def items(self, obj: Article):
        from comments.discussion import shown_to_everyone
        from comments.models import Comment

        comments = list(
            shown_to_everyone(Comment.objects.counted().filter(article=obj), obj)
            .with_author()
            .order_by("-created_at", "-id")[:FEED_ITEMS]
        )
        for comment in comments:
            comment.article = obj  # every item names the article: no query per comment
        return comments

    def title(self, obj: Article) -> str:
        return f"Comments on “{obj.title}”"

    def description(self, obj: Article) -> str:
        return f"Readers’ comments on “{obj.title}” at {settings.SITE_NAME}."  # noqa: RUF001

    subtitle = description

    def link(self, obj: Article) -> str:
        return article_url(obj) + "#comments"

    def feed_url(self, obj: Article) -> str:
        return absolute_url(reverse(self.url_name, kwargs={"slug": obj.slug}))

    def feed_guid(self, obj: Article) -> str:
        return self.feed_url(obj)

    def author_name(self, obj: Article) -> str:
        return settings.SITE_NAME

    def item_title(self, item) -> str:
        return f"{item.author_name} on “{item.article.title}”"

    def item_description(self, item) -> str:
        # A reply from the fediverse says where it was written (federation.RemoteComment).
        if remote := getattr(item, "remote", None):
            source = format_html(
                '<p>{} <a href="{}">{}</a></p>',
                gettext("From the fediverse:"),
                remote.url,
                f"@{remote.handle}",
            )
            return item.body_html + source
        return item.body_html

    def item_link(self, item) -> str:
        return f"{article_url(item.article)}#{item.anchor}"

    def item_author_name(self, item) -> str:
        return item.author_name

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.edited_at or item.created_at

    def item_summary(self, item) -> str:
        text = html.unescape(strip_tags(item.body_html))
        return Truncator(" ".join(text.split())).chars(200)

    def item_authors(self, item) -> list[dict[str, str]]:
        return [{"name": item.author_name}]


class CommentAtomFeed(CommentFeed):
    feed_type = Atom1Feed
    url_name = "discovery:comment-feed-atom"


class CommentJSONFeed(JSONFeedMixin, CommentFeed):
    url_name = "discovery:comment-feed-json"
