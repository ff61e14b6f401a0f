import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, SourceFactory, TagFactory

pytestmark = pytest.mark.django_db


def make_articles(count: int, tags_each: int = 3) -> list[Article]:
    tags = [TagFactory() for _ in range(tags_each)]
    source = SourceFactory()
    return [ArticleFactory(tags=tags, sources=[source]) for _ in range(count)]


def test_home_lists_published_articles_newest_first(client):
    old = ArticleFactory(title="Older story", published_at=timezone.now() - dt.timedelta(days=2))
    new = ArticleFactory(title="Newer story")
    ArticleFactory(title="A draft", status=Article.Status.DRAFT)
    ArticleFactory(title="Scheduled", published_at=timezone.now() + dt.timedelta(hours=1))
    response = client.get("/")
    assert response.status_code == 200
    assert list(response.context["articles"]) == [new, old]
    assert b"A draft" not in response.content
    assert b"Scheduled" not in response.content


def test_home_card_shows_date_summary_tags_and_comment_count(client):
    tag = TagFactory(name="Security", slug="security")
    article = ArticleFactory(title="Story", summary="What happened.", tags=[tag])
    Article.objects.filter(pk=article.pk).update(comment_count=3)
    response = client.get("/")
    html = response.content.decode()
    assert "What happened." in html
    link = f'<a class="story-meta__comments" href="{article.get_absolute_url()}#comments">'
    assert link in html
    assert "<span>3 comments</span></a>" in html
    # The lead story's kicker is its first tag.
    assert '<p class="kicker"><a href="/tags/security/">Security</a></p>' in html


def test_home_is_paginated(client, settings):
    make_articles(25, tags_each=1)
    first = client.get("/")
    assert len(first.context["articles"]) == 20
    assert b'rel="next"' in first.content
    second = client.get("/?page=2")
    assert len(second.context["articles"]) == 5
    assert client.get("/?page=9").status_code == 404


@pytest.mark.parametrize("count", [1, 20])
def test_home_queries_do_not_grow_with_articles_or_tags(client, count, page_queries):
    """Tags and sources are prefetched: no query per card (the N+1 of article.tags.all)."""
    make_articles(count, tags_each=5)
    # count, page of articles, their tags; the "most discussed" list and the tag sections.
    with page_queries() as sql:
        response = client.get("/")
    assert len(sql) == 5, "\n".join(sql)
    assert len(response.context["articles"]) == count


def test_article_page_shows_what_a_reader_needs(client):
    tag = TagFactory(name="Tech", slug="tech")
    source = SourceFactory(name="Reuters", slug="reuters")
    article = ArticleFactory(
        title="Big <news> & more",
        summary="The standfirst.",
        body="First *paragraph*.\n\nLast paragraph.",
        tags=[tag],
        sources=[source],
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="article__title">Big &lt;news&gt; &amp; more</h1>' in html
    assert html.count("<h1") == 1
    assert '<p class="standfirst">The standfirst.</p>' in html
    assert "<p>First <em>paragraph</em>.</p>\n<p>Last paragraph.</p>" in html
    assert '<a href="/sources/reuters/">Reuters</a>' in html
    assert '<a href="/tags/tech/" class="tag">Tech</a>' in html
    assert 'id="comments"' in html
    assert 'href="#top"' in html
    assert "<title>Big &lt;news&gt; &amp; more · newsite</title>" in html
    assert '<meta name="description" content="The standfirst.">' in html


@pytest.mark.parametrize("tags", [1, 20])
def test_article_page_queries_do_not_grow_with_tags(client, tags, django_assert_max_num_queries):
    """Tags and sources come in one query each, however many there are."""
    article = make_articles(1, tags_each=tags)[0]
    client.get(article.get_absolute_url())  # warm per-process caches (site, content types)
    with django_assert_max_num_queries(6):
        client.get(article.get_absolute_url())


def test_unpublished_and_scheduled_articles_are_404(client):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    scheduled = ArticleFactory(published_at=timezone.now() + dt.timedelta(days=1))
    assert client.get(draft.get_absolute_url()).status_code == 404
    response = client.get(scheduled.get_absolute_url())
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_tag_and_source_pages_list_their_published_articles(client):
    tag = TagFactory(name="Asia", slug="asia")
    source = SourceFactory(name="Kyodo", slug="kyodo")
    tagged = ArticleFactory(title="Tagged story", tags=[tag], sources=[source])
    ArticleFactory(title="Other story")
    ArticleFactory(title="Draft story", tags=[tag], status=Article.Status.DRAFT)

    response = client.get(reverse("articles:tag", kwargs={"slug": "asia"}))
    assert list(response.context["articles"]) == [tagged]
    assert "<h1>Tagged “Asia”</h1>" in response.content.decode()

    response = client.get(source.get_absolute_url())
    assert list(response.context["articles"]) == [tagged]
    assert "<h1>From Kyodo</h1>" in response.content.decode()

    assert client.get("/tags/nope/").status_code == 404
    assert client.get("/sources/nope/").status_code == 404


@pytest.mark.parametrize("path", ["/", "/tags/{tag}/", "/sources/{source}/"])
def test_list_pages_query_count_is_constant(client, path, django_assert_max_num_queries):
    """No per-article queries on tag and source listings either."""
    articles = make_articles(15, tags_each=4)
    tag = articles[0].tags.first()
    source = articles[0].sources.first()
    client.get(path.format(tag=tag.slug, source=source.slug))  # warm per-process caches
    with django_assert_max_num_queries(5):
        response = client.get(path.format(tag=tag.slug, source=source.slug))
    assert response.status_code == 200
