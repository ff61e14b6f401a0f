"""sitemap.xml: published articles (lastmod = updated_at), and the tags, sources and authors
that have any."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.urls import reverse

from articles.models import Article, Author, Source, Tag


class CanonicalSitemap(Sitemap):
    """Locations on settings.SITE_URL rather than the Sites framework's domain."""

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class HomeSitemap(CanonicalSitemap):
    changefreq = "hourly"

    def items(self) -> list[str]:
        return ["articles:home"]

    def location(self, item: str) -> str:
        return reverse(item)


class ArticleSitemap(CanonicalSitemap):
    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item: Article):
        return item.updated_at


class _WithPublishedArticles(CanonicalSitemap):
    model: type

    def items(self):
        published = Q(articles__in=Article.objects.published())
        return (
            self.model.objects.annotate(lastmod=Max("articles__updated_at", filter=published))
            .filter(lastmod__isnull=False)
            .order_by("slug")
        )

    def lastmod(self, item):
        return item.lastmod


class TagSitemap(_WithPublishedArticles):
    model = Tag


class SourceSitemap(_WithPublishedArticles):
    model = Source


class AuthorSitemap(_WithPublishedArticles):
    model = Author


SITEMAPS = {
    "home": HomeSitemap,
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "sources": SourceSitemap,
    "authors": AuthorSitemap,
}
