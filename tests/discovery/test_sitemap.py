from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.services import article_set_authors
from tests.factories import ArticleFactory, AuthorFactory, SourceFactory, TagFactory

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@pytest.fixture
def sitemap(client, db):
    tech = TagFactory(name="Tech", slug="tech")
    TagFactory(name="Unused", slug="unused")
    draft_only = TagFactory(name="Drafts", slug="drafts")
    reuters = SourceFactory(name="Reuters", slug="reuters")
    article = ArticleFactory(slug="live", tags=[tech], sources=[reuters])
    article_set_authors(article=article, authors=[AuthorFactory(slug="jane-doe")])
    AuthorFactory(slug="no-articles-yet")
    draft = ArticleFactory(slug="draft", status="draft", tags=[draft_only])
    article_set_authors(article=draft, authors=[AuthorFactory(slug="drafts-only")])
    ArticleFactory(slug="later", published_at=timezone.now() + timedelta(days=1))
    response = client.get(reverse("discovery:sitemap"))
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    entries = {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }
    return article, entries


def test_sitemap_lists_published_articles_tags_and_sources(sitemap):
    _, entries = sitemap
    assert set(entries) == {
        "https://news.example/",
        "https://news.example/articles/live/",
        "https://news.example/tags/tech/",
        "https://news.example/sources/reuters/",
        "https://news.example/authors/jane-doe/",
    }


def test_sitemap_lastmod_is_the_article_update_time(sitemap):
    article, entries = sitemap
    article.refresh_from_db()
    assert entries["https://news.example/articles/live/"] == article.updated_at.date().isoformat()
    assert entries["https://news.example/tags/tech/"] == article.updated_at.date().isoformat()
    assert entries["https://news.example/sources/reuters/"] == article.updated_at.date().isoformat()


def test_sitemap_query_count_does_not_grow(client, db, django_assert_max_num_queries):
    """Stops a query per tag or source for its lastmod: one annotated query each.

    Nine in all: the Sites row, then a count and a page for articles, tags, sources and authors.
    """
    tags = [TagFactory() for _ in range(10)]
    for tag in tags:
        ArticleFactory(tags=[tag], sources=[SourceFactory()])
    with django_assert_max_num_queries(9):
        assert client.get(reverse("discovery:sitemap")).status_code == 200


def test_robots_txt_points_at_the_absolute_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Sitemap: https://news.example/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /search/" in lines
    # Articles and their card images stay crawlable (social sites honour robots.txt).
    assert not any(line.startswith("Disallow: /articles") for line in lines)
    assert "Disallow: /" not in lines
