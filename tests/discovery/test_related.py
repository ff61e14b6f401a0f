from datetime import timedelta

import pytest
from django.utils import timezone

from discovery.related import related_articles
from tests.factories import ArticleFactory, SourceFactory, TagFactory


def _ago(hours: int):
    return timezone.now() - timedelta(hours=hours)


@pytest.fixture
def tags(db):
    return [TagFactory() for _ in range(3)]


def test_ordered_by_shared_tags_then_sources_then_recency(tags, db):
    reuters, ap = SourceFactory(), SourceFactory()
    article = ArticleFactory(tags=tags, sources=[reuters, ap])
    two_tags = ArticleFactory(title="two tags", tags=tags[:2], published_at=_ago(50))
    one_tag_two_sources = ArticleFactory(
        title="one tag, two sources", tags=tags[:1], sources=[reuters, ap], published_at=_ago(40)
    )
    one_tag_new = ArticleFactory(title="one tag, newer", tags=tags[2:], published_at=_ago(1))
    one_tag_old = ArticleFactory(title="one tag, older", tags=tags[1:2], published_at=_ago(30))
    source_only = ArticleFactory(title="source only", sources=[ap], published_at=_ago(2))
    ArticleFactory(title="unrelated", tags=[TagFactory()])
    ArticleFactory(title="draft", tags=tags, status="draft")
    ArticleFactory(title="scheduled", tags=tags, published_at=timezone.now() + timedelta(days=1))

    related = related_articles(article, limit=10)

    assert [a.title for a in related] == [
        two_tags.title,
        one_tag_two_sources.title,
        one_tag_new.title,
        one_tag_old.title,
        source_only.title,
    ]
    assert related_articles(article, limit=2) == [two_tags, one_tag_two_sources]


def test_an_article_without_tags_or_sources_has_no_related(db):
    ArticleFactory(tags=[TagFactory()])
    assert related_articles(ArticleFactory()) == []


@pytest.mark.parametrize("tag_count", [1, 20])
def test_related_is_one_query_however_many_tags(db, tag_count, django_assert_num_queries):
    """Stops a query per tag (or per candidate): tag and source sets are subqueries."""
    tags = [TagFactory() for _ in range(tag_count)]
    article = ArticleFactory(tags=tags, sources=[SourceFactory()])
    for tag in tags:
        ArticleFactory(tags=[tag])
    with django_assert_num_queries(1):
        related = related_articles(article)
        titles = [(a.title, a.get_absolute_url(), a.published_at) for a in related]
    assert len(titles) == min(tag_count, 4)


def test_related_stories_under_the_article(client, tags):
    article = ArticleFactory(tags=tags)
    ArticleFactory(title="Cousin story", slug="cousin", tags=tags[:1])
    html = client.get(article.get_absolute_url()).content.decode()
    related = html[html.index('<section class="related"') :]
    assert '<h2 id="related-heading">Related stories</h2>' in related
    assert '<a href="/articles/cousin/">Cousin story</a>' in related
    assert html.index('<section class="related"') > html.index('id="comments"')


def test_article_page_queries_do_not_grow_with_tags(client, db):
    """Stops an N+1 anywhere on the article page (share block, head metadata, related list)."""

    def page_queries(tag_count: int) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        tags = [TagFactory() for _ in range(tag_count)]
        article = ArticleFactory(tags=tags, sources=[SourceFactory()])
        for tag in tags:
            ArticleFactory(tags=[tag])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(queries)

    page_queries(1)  # once-per-process lookups (site rules, content types) out of the way
    assert page_queries(1) == page_queries(20)
