import json
from datetime import timedelta

import extruct
import pytest
from django.utils import timezone

from articles.models import Article
from tests.discovery.helpers import parse_head
from tests.factories import ArticleFactory, CommentFactory, SourceFactory, TagFactory


@pytest.fixture
def article(db):
    published = timezone.now() - timedelta(days=2)
    return ArticleFactory(
        title="Japan stops buying Huawei & ZTE devices",
        slug="japan-huawei",
        summary="The government will revise its procurement rules.",
        published_at=published,
        tags=[TagFactory(name="Security", slug="security"), TagFactory(name="Tech", slug="tech")],
        sources=[SourceFactory(name="Reuters", slug="reuters")],
    )


def _head(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return parse_head(response.content)


def test_canonical_open_graph_and_twitter_tags(client, article):
    head = _head(client, article)
    url = "https://news.example/articles/japan-huawei/"

    assert [link["href"] for link in head.link("canonical")] == [url]
    assert head.first("og:type") == "article"
    assert head.first("og:site_name") == "newsite"
    assert head.first("og:title") == "Japan stops buying Huawei & ZTE devices"
    assert head.first("og:description") == "The government will revise its procurement rules."
    assert head.first("og:url") == url
    assert head.first("og:locale") == "en_GB"
    assert head.all("article:tag") == ["Security", "Tech"]
    assert head.first("article:published_time") == article.published_at.isoformat()
    article.refresh_from_db()
    assert head.first("article:modified_time") == article.updated_at.isoformat()
    image = head.first("og:image")
    assert image.startswith("https://news.example/articles/japan-huawei/card.png?v=")
    assert (head.first("og:image:width"), head.first("og:image:height")) == ("1200", "630")
    assert head.first("twitter:card") == "summary_large_image"
    assert head.first("twitter:title") == "Japan stops buying Huawei & ZTE devices"
    assert head.first("twitter:image") == image
    assert head.first("twitter:description") == head.first("og:description")


def test_description_falls_back_to_the_body(client):
    article = ArticleFactory(summary="", body="Only *the* body.\n\nSecond & last.")
    assert _head(client, article).first("og:description") == "Only the body. Second & last."


def test_json_ld_news_article(client, article):
    head = _head(client, article)
    assert len(head.json_ld) == 1
    data = json.loads(head.json_ld[0])
    url = "https://news.example/articles/japan-huawei/"

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Japan stops buying Huawei & ZTE devices"
    assert data["keywords"] == ["Security", "Tech"]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["url"] == url
    assert data["image"] == [head.first("og:image")]
    assert data["datePublished"].startswith(article.published_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert data["dateModified"] >= data["datePublished"]
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "newsite"
    assert data["publisher"]["logo"]["url"] == "https://news.example/static/icons/logo.png"
    assert data["commentCount"] == 0
    assert "comment" not in data
    assert data["sourceOrganization"] == [{"@type": "Organization", "name": "Reuters"}]


def test_json_ld_names_the_byline_or_else_the_newsroom(
    client, article, django_capture_on_commit_callbacks
):
    from articles.services import article_set_authors
    from tests.factories import AuthorFactory

    assert json.loads(_head(client, article).json_ld[0])["author"]["@type"] == "Organization"
    jane = AuthorFactory(name="Jane Doe", slug="jane-doe")
    with django_capture_on_commit_callbacks(execute=True):  # renews the kept head
        article_set_authors(article=article, authors=[jane, AuthorFactory(name="Kenji Sato")])
    article.refresh_from_db()
    data = json.loads(_head(client, article).json_ld[0])
    assert data["author"][0] == {
        "@type": "Person",
        "name": "Jane Doe",
        "url": "https://news.example/authors/jane-doe/",
    }
    assert [person["name"] for person in data["author"]] == ["Jane Doe", "Kenji Sato"]


def test_json_ld_cannot_be_closed_by_a_title(client):
    article = ArticleFactory(title='Evil </script><script>alert("x")</script> <!-- & more')
    html = client.get(article.get_absolute_url()).content.decode()
    block = html[html.index('<script type="application/ld+json">') :]
    block = block[: block.index("</script>")]
    assert "<" not in block.removeprefix('<script type="application/ld+json">')
    data = json.loads(block.removeprefix('<script type="application/ld+json">'))
    assert data["headline"] == 'Evil </script><script>alert("x")</script> <!-- & more'


def test_json_ld_lists_the_first_published_comments(client, article):
    first = CommentFactory(article=article, body="First & *best*", author__display_name="Ada")
    CommentFactory(article=article, body="Held back", status="pending")
    CommentFactory(article=article, body="Deleted", deleted_at=timezone.now())
    second = CommentFactory(article=article, body="Second")
    Article.objects.filter(pk=article.pk).update(comment_count=2)

    data = json.loads(_head(client, article).json_ld[0])

    assert data["commentCount"] == 2
    assert [c["text"] for c in data["comment"]] == ["First & best", "Second"]
    assert data["comment"][0]["@type"] == "Comment"
    assert data["comment"][0]["author"] == {"@type": "Person", "name": "Ada"}
    url = "https://news.example/articles/japan-huawei/"
    assert data["comment"][0]["url"] == f"{url}#{first.anchor}"
    assert data["comment"][1]["url"] == f"{url}#{second.anchor}"


def test_json_ld_comments_cost_one_query_whatever_their_number(
    client, article, django_assert_num_queries
):
    """Stops an N+1 on comment authors: the JSON-LD comments come from one joined query."""
    from discovery.meta import JSON_LD_COMMENTS, first_comments

    for _ in range(JSON_LD_COMMENTS + 3):
        CommentFactory(article=article)
    Article.objects.filter(pk=article.pk).update(comment_count=JSON_LD_COMMENTS + 3)
    article.refresh_from_db()
    with django_assert_num_queries(1):
        comments = first_comments(article)
        names = [comment.author_name for comment in comments]
    assert len(names) == JSON_LD_COMMENTS
    article.comment_count = 0
    with django_assert_num_queries(0):
        assert first_comments(article) == []


def test_comment_feed_links_in_article_head(client, article):
    head = _head(client, article)
    rss = head.link("alternate", type="application/rss+xml")
    atom = head.link("alternate", type="application/atom+xml")
    assert "/articles/japan-huawei/comments.rss" in [link["href"] for link in rss]
    assert "/articles/japan-huawei/comments.atom" in [link["href"] for link in atom]
    assert "/feeds/latest.rss" in [link["href"] for link in rss]


def test_reading_time_from_word_count(client):
    article = ArticleFactory(body=" ".join(["word"] * 700))
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<span>4 min read</span>" in html
    short = ArticleFactory(body="Three short words.")
    assert "<span>1 min read</span>" in client.get(short.get_absolute_url()).content.decode()


def test_metadata_as_extruct_reads_it(client, article):
    """The structured-data extractor search engines' tools are modelled on agrees with us."""
    CommentFactory(article=article, body="Well </script> said", author__display_name="Ada")
    Article.objects.filter(pk=article.pk).update(comment_count=1)
    html = client.get(article.get_absolute_url()).content.decode()
    data = extruct.extract(
        html, base_url="https://news.example/", syntaxes=["json-ld", "opengraph"]
    )

    [news] = data["json-ld"]
    assert news["@type"] == "NewsArticle"
    assert news["headline"] == "Japan stops buying Huawei & ZTE devices"
    assert news["keywords"] == ["Security", "Tech"]
    assert news["commentCount"] == 1
    assert news["comment"][0]["text"] == "Well </script> said"
    assert news["publisher"]["name"] == "newsite"
    [graph] = data["opengraph"]
    properties = graph["properties"]
    assert ("og:type", "article") in properties
    assert ("og:url", "https://news.example/articles/japan-huawei/") in properties
    assert [value for key, value in properties if key == "article:tag"] == ["Security", "Tech"]
