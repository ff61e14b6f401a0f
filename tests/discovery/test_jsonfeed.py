"""JSON Feed 1.1 next to every RSS and Atom feed: the same items, the fields the spec requires,
and a discovery link for each on the pages that have the RSS and Atom ones."""

import json
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser

import feedparser
import pytest
from django.utils import timezone

from articles.services import article_set_authors
from discovery.feeds import FEED_ITEMS
from tests.discovery.helpers import parse_head
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CommentFactory,
    SourceFactory,
    TagFactory,
)

VERSION = "https://jsonfeed.org/version/1.1"
RFC_3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
FEED_STRINGS = ("title", "home_page_url", "feed_url", "description", "language", "next_url")
ITEM_STRINGS = ("url", "external_url", "title", "content_html", "content_text", "summary")


def check_json_feed(document: dict) -> None:
    """JSON Feed 1.1's rules for the fields we write, as a small schema check."""
    assert document["version"] == VERSION
    assert isinstance(document["title"], str)
    assert document["title"]
    for key in FEED_STRINGS:
        if key in document:
            assert isinstance(document[key], str), key
    for key in ("home_page_url", "feed_url"):
        assert document[key].startswith("https://news.example/"), key  # absolute, canonical
    check_authors(document.get("authors", []))
    assert isinstance(document["items"], list)
    ids = []
    for item in document["items"]:
        assert isinstance(item["id"], str)
        assert item["id"]
        ids.append(item["id"])
        assert "content_html" in item or "content_text" in item
        for key in ITEM_STRINGS:
            if key in item:
                assert isinstance(item[key], str), key
        assert item["url"].startswith("https://news.example/")
        for key in ("date_published", "date_modified"):
            if key in item:
                assert RFC_3339.fullmatch(item[key]), item[key]
                assert datetime.fromisoformat(item[key]).tzinfo is not None
        check_authors(item.get("authors", []))
        assert all(isinstance(tag, str) for tag in item.get("tags", []))
        assert None not in item.values()  # optional fields are left out, never null
    assert len(set(ids)) == len(ids)


def check_authors(authors) -> None:
    assert isinstance(authors, list)
    for author in authors:
        assert set(author) <= {"name", "url", "avatar"}
        assert author  # at least one field
        assert all(isinstance(value, str) for value in author.values())


def get_feed(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    document = json.loads(response.content)
    check_json_feed(document)
    return document


@pytest.fixture
def newsroom(db):
    tech = TagFactory(name="Tech", slug="tech")
    reuters = SourceFactory(name="Reuters", slug="reuters")
    now = timezone.now()
    jane = AuthorFactory(name="Jane <Doe>", slug="jane-doe")
    old = ArticleFactory(
        title="Older & wiser",
        slug="older",
        summary="An <older> story.",
        published_at=now - timedelta(days=3),
        tags=[tech],
        sources=[reuters],
    )
    article_set_authors(article=old, authors=[jane])
    new = ArticleFactory(title="Newer", slug="newer", published_at=now - timedelta(hours=1))
    ArticleFactory(title="A draft", slug="draft", status="draft", tags=[tech])
    ArticleFactory(title="Tomorrow", slug="tomorrow", published_at=now + timedelta(days=1))
    return {"old": old, "new": new, "tech": tech, "reuters": reuters, "jane": jane}


def test_site_json_feed(client, newsroom):
    old = newsroom["old"]
    old.refresh_from_db()
    feed = get_feed(client, "/feeds/latest.json")

    assert feed["title"] == "newsite"
    assert feed["home_page_url"] == "https://news.example/"
    assert feed["feed_url"] == "https://news.example/feeds/latest.json"
    assert feed["authors"] == [{"name": "newsite"}]
    assert [item["title"] for item in feed["items"]] == ["Newer", "Older & wiser"]
    item = feed["items"][1]
    assert item["id"] == item["url"] == "https://news.example/articles/older/"
    # The same description the RSS feed carries: plain text escaped into HTML.
    assert item["content_html"] == "An &lt;older&gt; story."
    assert item["summary"] == "An <older> story."  # plain text, as the spec says
    assert datetime.fromisoformat(item["date_published"]) == old.published_at.replace(microsecond=0)
    assert datetime.fromisoformat(item["date_modified"]) >= datetime.fromisoformat(
        item["date_published"]
    )
    assert item["authors"] == [
        {"name": "Jane <Doe>", "url": "https://news.example/authors/jane-doe/"}
    ]
    assert item["tags"] == ["Tech"]
    assert "authors" not in feed["items"][0]  # no byline: the feed's author stands


@pytest.mark.parametrize(
    ("json_url", "rss_url"),
    [
        ("/feeds/latest.json", "/feeds/latest.rss"),
        ("/tags/tech/feed.json", "/tags/tech/feed.rss"),
        ("/sources/reuters/feed.json", "/sources/reuters/feed.rss"),
        ("/authors/jane-doe/feed.json", "/authors/jane-doe/feed.rss"),
        ("/articles/older/comments.json", "/articles/older/comments.rss"),
    ],
)
def test_each_json_feed_has_the_items_of_its_rss_twin(client, newsroom, json_url, rss_url):
    CommentFactory(article=newsroom["old"], body="First")
    CommentFactory(article=newsroom["old"], body="Held", status="pending")
    feed = get_feed(client, json_url)
    rss = feedparser.parse(client.get(rss_url).content)

    assert feed["feed_url"] == f"https://news.example{json_url}"
    assert feed["title"] == rss.feed.title
    assert feed["home_page_url"] == rss.feed.link
    assert feed["items"]
    assert [item["url"] for item in feed["items"]] == [entry.link for entry in rss.entries]
    assert [item["title"] for item in feed["items"]] == [entry.title for entry in rss.entries]
    # Readers that poll send If-Modified-Since: the JSON feed answers it as RSS does.
    assert client.get(json_url)["Last-Modified"] == client.get(rss_url)["Last-Modified"]


def test_tag_source_and_author_feeds_narrow_the_items(client, newsroom):
    assert [i["title"] for i in get_feed(client, "/tags/tech/feed.json")["items"]] == [
        "Older & wiser"
    ]
    assert [i["title"] for i in get_feed(client, "/sources/reuters/feed.json")["items"]] == [
        "Older & wiser"
    ]
    author = get_feed(client, "/authors/jane-doe/feed.json")
    assert author["title"] == "newsite: by Jane <Doe>"
    assert author["authors"] == [{"name": "Jane <Doe>"}]
    assert [i["title"] for i in author["items"]] == ["Older & wiser"]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_comment_json_feed_has_published_comments_sanitised(client, newsroom):
    article = newsroom["old"]
    first = CommentFactory(
        article=article,
        body=(
            "I <3 this & <script>alert(1)</script> <img src=x onerror=alert(2)> "
            "[x](javascript:alert(3))"
        ),
        author__display_name="Ada <b>",
        created_at=timezone.now() - timedelta(hours=2),
    )
    CommentFactory(article=article, body="Waiting", status="pending")
    CommentFactory(article=article, body="Hidden", status="hidden")
    CommentFactory(article=article, body="Gone", deleted_at=timezone.now())
    CommentFactory(article=newsroom["new"], body="Elsewhere")
    latest = CommentFactory(article=article, body="Latest *news*", author__display_name="Grace")

    feed = get_feed(client, "/articles/older/comments.json")

    assert feed["title"] == "Comments on “Older & wiser”"
    assert feed["home_page_url"] == "https://news.example/articles/older/#comments"
    assert [item["url"] for item in feed["items"]] == [
        f"https://news.example/articles/older/#{latest.anchor}",
        f"https://news.example/articles/older/#{first.anchor}",
    ]
    newest, hostile = feed["items"]
    assert newest["content_html"] == "<p>Latest <em>news</em></p>\n"
    assert newest["summary"] == "Latest news"
    assert newest["authors"] == [{"name": "Grace"}]
    assert hostile["authors"] == [{"name": "Ada <b>"}]  # plain text in JSON, as every field
    assert "I &lt;3 this &amp;" in hostile["content_html"]
    parser = _Tags()
    parser.feed(hostile["content_html"])
    assert {tag for tag, _ in parser.tags} <= {"p", "a", "em", "strong", "code"}
    for _, attrs in parser.tags:
        assert not any(name.startswith("on") for name in attrs)
        assert not attrs.get("href", "").startswith("javascript")
    assert "<script" not in hostile["content_html"]


def test_json_feeds_are_capped_like_the_others(client, db):
    ArticleFactory.create_batch(FEED_ITEMS + 2)
    assert len(get_feed(client, "/feeds/latest.json")["items"]) == FEED_ITEMS
    article = ArticleFactory(slug="busy")
    CommentFactory.create_batch(FEED_ITEMS + 1, article=article)
    assert len(get_feed(client, "/articles/busy/comments.json")["items"]) == FEED_ITEMS


def test_json_feed_queries_do_not_grow(client, newsroom, django_assert_max_num_queries):
    """Stops an N+1 on item tags and on comment authors."""
    for _ in range(10):
        ArticleFactory(tags=[newsroom["tech"]])
        CommentFactory(article=newsroom["old"])
    with django_assert_max_num_queries(4):
        client.get("/feeds/latest.json")
    with django_assert_max_num_queries(6):
        client.get("/articles/older/comments.json")


@pytest.mark.parametrize(
    "url",
    [
        "/tags/nope/feed.json",
        "/sources/nope/feed.json",
        "/authors/nope/feed.json",
        "/articles/draft/comments.json",
        "/articles/tomorrow/comments.json",
    ],
)
def test_json_feeds_of_unknown_or_unpublished_things_are_404(client, newsroom, url):
    assert client.get(url).status_code == 404


ADVERTISED = {
    "application/rss+xml": "application/rss+xml; charset=utf-8",
    "application/atom+xml": "application/atom+xml; charset=utf-8",
    "application/feed+json": "application/feed+json; charset=utf-8",
}


def test_every_advertised_feed_answers_with_its_type(client, newsroom):
    pages = {
        "/": {"/feeds/latest.json"},
        "/tags/tech/": {"/tags/tech/feed.json"},
        "/sources/reuters/": {"/sources/reuters/feed.json"},
        "/authors/jane-doe/": {"/authors/jane-doe/feed.json"},
        "/articles/older/": {"/articles/older/comments.json", "/feeds/latest.json"},
    }
    for page, json_feeds in pages.items():
        response = client.get(page)
        assert response.status_code == 200
        links = parse_head(response.content).link("alternate")
        feeds = [link for link in links if link["type"] in ADVERTISED]
        assert json_feeds <= {
            link["href"] for link in feeds if link["type"] == "application/feed+json"
        }, page
        for link in feeds:
            assert link["title"], link
            answer = client.get(link["href"])
            assert answer.status_code == 200, link
            assert answer["Content-Type"] == ADVERTISED[link["type"]], link
    article_links = parse_head(client.get("/articles/older/").content)
    json_link = article_links.link("alternate", href="/articles/older/comments.json")[0]
    assert json_link["title"] == "newsite: Comments on “Older & wiser” (JSON Feed)"


def test_the_author_page_names_each_feed_it_links(client, newsroom):
    response = client.get("/authors/jane-doe/")
    for label, href in (
        ("RSS", "/authors/jane-doe/feed.rss"),
        ("Atom", "/authors/jane-doe/feed.atom"),
        ("JSON", "/authors/jane-doe/feed.json"),
    ):
        assert f'<a href="{href}" type="' in response.content.decode()
        assert f">{label} feed</a>" in response.content.decode()
