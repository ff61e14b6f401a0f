from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.discovery.helpers import parse_head
from tests.factories import ArticleFactory, CommentFactory, SourceFactory, TagFactory

# Curly quotes and a dash: feeds must carry them intact.
NEW_TITLE = "Japan\u2019s ban \u2014 \u201cnews\u201d"


@pytest.fixture
def newsroom(db):
    security = TagFactory(name="Security", slug="security")
    tech = TagFactory(name="Tech", slug="tech")
    reuters = SourceFactory(name="Reuters", slug="reuters")
    now = timezone.now()
    old = ArticleFactory(
        title="Older & wiser",
        slug="older",
        summary="An <older> story.",
        published_at=now - timedelta(days=3),
        tags=[security],
        sources=[reuters],
    )
    new = ArticleFactory(
        title=NEW_TITLE,
        slug="newer",
        published_at=now - timedelta(hours=1),
        tags=[security, tech],
    )
    ArticleFactory(title="A draft", slug="draft", status="draft", tags=[security])
    ArticleFactory(title="Tomorrow", slug="tomorrow", published_at=now + timedelta(days=1))
    return {"old": old, "new": new, "security": security, "tech": tech, "reuters": reuters}


def _parse(client, url: str, version: str):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == version
    return response, parsed


@pytest.mark.parametrize(
    ("name", "version", "content_type"),
    [
        ("discovery:feed-rss", "rss20", "application/rss+xml; charset=utf-8"),
        ("discovery:feed-atom", "atom10", "application/atom+xml; charset=utf-8"),
    ],
)
def test_site_feeds(client, newsroom, name, version, content_type):
    response, feed = _parse(client, reverse(name), version)

    assert response["Content-Type"] == content_type
    assert feed.feed.title == "newsite"
    assert feed.feed.link == "https://news.example/"
    assert [e.title for e in feed.entries] == [NEW_TITLE, "Older & wiser"]
    assert [e.link for e in feed.entries] == [
        "https://news.example/articles/newer/",
        "https://news.example/articles/older/",
    ]
    older = feed.entries[1]
    # Summaries are HTML to feed readers: the plain text's "<older>" shows, it is not a tag.
    assert older.summary == "An &lt;older&gt; story."
    assert [t.term for t in older.tags] == ["Security"]
    assert older.published_parsed[:6] == newsroom["old"].published_at.utctimetuple()[:6]
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [f"https://news.example{reverse(name)}"]
    if version == "atom10":
        assert feed.feed.id == self_links[0]
    else:
        assert [e.id for e in feed.entries] == [e.link for e in feed.entries]  # RSS guid


@pytest.mark.parametrize(("suffix", "version"), [("rss", "rss20"), ("atom", "atom10")])
def test_tag_and_source_feeds(client, newsroom, suffix, version):
    url = reverse(f"discovery:tag-feed-{suffix}", kwargs={"slug": "tech"})
    _, feed = _parse(client, url, version)
    assert feed.feed.title == "newsite: tagged “Tech”"
    assert feed.feed.link == "https://news.example/tags/tech/"
    assert [e.title for e in feed.entries] == [NEW_TITLE]

    url = reverse(f"discovery:source-feed-{suffix}", kwargs={"slug": "reuters"})
    _, feed = _parse(client, url, version)
    assert feed.feed.title == "newsite: from Reuters"
    assert [e.title for e in feed.entries] == ["Older & wiser"]

    url = reverse(f"discovery:tag-feed-{suffix}", kwargs={"slug": "security"})
    _, feed = _parse(client, url, version)
    assert [e.title for e in feed.entries] == [NEW_TITLE, "Older & wiser"]


def test_unknown_tag_feed_is_404(client, db):
    assert client.get(reverse("discovery:tag-feed-rss", kwargs={"slug": "nope"})).status_code == 404


@pytest.mark.parametrize(("suffix", "version"), [("rss", "rss20"), ("atom", "atom10")])
def test_comment_feed_has_published_comments_only(client, newsroom, suffix, version):
    article = newsroom["old"]
    first = CommentFactory(
        article=article,
        body="I <3 this & that",
        author__display_name="Ada",
        created_at=timezone.now() - timedelta(hours=2),
    )
    CommentFactory(article=article, body="Waiting", status="pending")
    CommentFactory(article=article, body="Gone", deleted_at=timezone.now())
    CommentFactory(article=newsroom["new"], body="Elsewhere")
    latest = CommentFactory(article=article, body="Latest", author__display_name="Grace")

    url = reverse(f"discovery:comment-feed-{suffix}", kwargs={"slug": "older"})
    _, feed = _parse(client, url, version)

    assert feed.feed.title == "Comments on “Older & wiser”"
    assert [e.title for e in feed.entries] == [
        "Grace on “Older & wiser”",
        "Ada on “Older & wiser”",
    ]
    assert feed.entries[1].link == f"https://news.example/articles/older/#{first.anchor}"
    assert feed.entries[0].link == f"https://news.example/articles/older/#{latest.anchor}"
    assert "I &lt;3 this &amp; that" in feed.entries[1].summary
    assert feed.entries[1].author == "Ada"


def test_comment_feed_queries_do_not_grow_with_comments(
    client, newsroom, django_assert_max_num_queries
):
    """Stops an N+1 on comment authors and on the article each item names."""
    for _ in range(12):
        CommentFactory(article=newsroom["old"])
    with django_assert_max_num_queries(6):
        client.get(reverse("discovery:comment-feed-rss", kwargs={"slug": "older"}))


def test_comment_feed_of_a_draft_is_404(client, newsroom):
    url = reverse("discovery:comment-feed-rss", kwargs={"slug": "draft"})
    assert client.get(url).status_code == 404


def test_article_feed_queries_do_not_grow_with_articles(
    client, newsroom, django_assert_max_num_queries
):
    """Stops an N+1 on item tags (categories)."""
    for _ in range(10):
        ArticleFactory(tags=[newsroom["tech"]])
    with django_assert_max_num_queries(4):
        client.get(reverse("discovery:feed-atom"))


def test_alternate_links_on_listing_pages(client, newsroom):
    home = parse_head(client.get(reverse("articles:home")).content)
    assert {link["href"] for link in home.link("alternate")} == {
        "/feeds/latest.rss",
        "/feeds/latest.atom",
        "/feeds/latest.json",
    }
    tag = parse_head(client.get(newsroom["tech"].get_absolute_url()).content)
    assert {"/tags/tech/feed.rss", "/tags/tech/feed.atom", "/tags/tech/feed.json"} <= {
        link["href"] for link in tag.link("alternate")
    }
    assert tag.link("alternate", href="/tags/tech/feed.atom")[0]["type"] == "application/atom+xml"
    source = parse_head(client.get(newsroom["reuters"].get_absolute_url()).content)
    assert {
        "/sources/reuters/feed.rss",
        "/sources/reuters/feed.atom",
        "/sources/reuters/feed.json",
    } <= {link["href"] for link in source.link("alternate")}
    assert Article.objects.count() == 4


ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.parametrize(
    "name", ["discovery:feed-atom", "discovery:tag-feed-atom", "discovery:comment-feed-atom"]
)
def test_atom_feeds_have_what_rfc_4287_requires(client, newsroom, name):
    """The feed validator's Atom rules that can be checked offline."""
    CommentFactory(article=newsroom["old"])
    kwargs = (
        {"slug": "older"} if "comment" in name else {"slug": "security"} if "tag" in name else {}
    )
    root = ElementTree.fromstring(client.get(reverse(name, kwargs=kwargs)).content)  # noqa: S314

    for element in ("id", "title", "updated"):
        assert root.find(ATOM + element).text
    assert root.find(f"{ATOM}author/{ATOM}name").text == "newsite"
    assert [link.get("rel") for link in root.findall(ATOM + "link")] == ["alternate", "self"]
    entries = root.findall(ATOM + "entry")
    assert entries
    ids = [entry.find(ATOM + "id").text for entry in entries]
    assert len(set(ids)) == len(ids)
    for entry in entries:
        assert entry.find(ATOM + "title").text
        assert entry.find(ATOM + "updated").text
        assert entry.find(ATOM + "link").get("href").startswith("https://news.example/")


@pytest.mark.parametrize(
    "name", ["discovery:feed-rss", "discovery:source-feed-rss", "discovery:comment-feed-rss"]
)
def test_rss_feeds_have_what_rss_2_requires(client, newsroom, name):
    """The feed validator's RSS 2.0 rules (and its atom:link self advice) checked offline."""
    CommentFactory(article=newsroom["old"])
    kwargs = (
        {"slug": "older"} if "comment" in name else {"slug": "reuters"} if "source" in name else {}
    )
    root = ElementTree.fromstring(client.get(reverse(name, kwargs=kwargs)).content)  # noqa: S314
    channel = root.find("channel")

    assert root.get("version") == "2.0"
    for element in ("title", "link", "description", "lastBuildDate"):
        assert channel.find(element).text
    assert channel.find(ATOM + "link").get("rel") == "self"
    items = channel.findall("item")
    assert items
    for item in items:
        assert item.find("title").text
        assert item.find("guid").text == item.find("link").text
        assert item.find("pubDate").text.endswith("+0000")
