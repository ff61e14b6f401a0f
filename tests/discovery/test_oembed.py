"""oEmbed: articles and single comments as quoted cards for other sites, found from the article
page's discovery links; only what every reader may see, and nothing of a comment but its text."""

import json
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from articles.services import article_set_authors
from discovery import oembed
from tests.discovery.helpers import parse_head
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory, UserFactory

PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "xss-payloads.txt"
SITE = "https://news.example"
# Everything the card may contain: plain markup, links home, no script, style or resource.
CARD_TAGS = {"figure", "blockquote", "p", "figcaption", "a", "time"}
CARD_ATTRIBUTES = {"class", "cite", "href", "datetime"}


def ask(client, url: str, **params):
    return client.get("/oembed/?" + urlencode({"url": url, **params}))


def ask_json(client, url: str, **params) -> dict:
    response = ask(client, url, **params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


class Card(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def parse_card(html: str) -> Card:
    card = Card()
    card.feed(html)
    card.close()
    return card


def assert_safe_card(html: str) -> Card:
    card = parse_card(html)
    assert card.tags[0] == ("figure", {"class": "newsite-embed"})
    for tag, attrs in card.tags:
        assert tag in CARD_TAGS, tag
        assert set(attrs) <= CARD_ATTRIBUTES, attrs
        for name in ("href", "cite"):
            if name in attrs:
                assert attrs[name].startswith(f"{SITE}/"), attrs
    return card


@pytest.fixture
def story(db):
    jane = AuthorFactory(name="Jane Doe", slug="jane-doe")
    article = ArticleFactory(
        title="Ports & ships",
        slug="ports",
        summary="What the <port> strike means.",
        published_at=timezone.now() - timedelta(days=1),
    )
    article_set_authors(article=article, authors=[jane])
    article.refresh_from_db()
    comment = CommentFactory(
        article=article,
        body="First paragraph with *emphasis* and [a link](https://example.org).\n\nSecond one.",
        author=UserFactory(display_name="Ada"),
    )
    return {"article": article, "comment": comment}


def test_an_article_embeds_as_a_rich_card(client, story):
    data = ask_json(client, f"{SITE}/articles/ports/", maxwidth="400")

    assert data["type"] == "rich"
    assert data["version"] == "1.0"
    assert data["title"] == "Ports & ships"
    assert data["author_name"] == "Jane Doe"
    assert data["author_url"] == f"{SITE}/authors/jane-doe/"
    assert data["provider_name"] == "newsite"
    assert data["provider_url"] == f"{SITE}/"
    assert data["cache_age"] == oembed.CACHE_AGE
    assert data["width"] == 400
    assert isinstance(data["height"], int)
    assert data["height"] > 0
    card = assert_safe_card(data["html"])
    assert "What the <port> strike means." in card.text  # escaped in the HTML, text again here
    assert "&lt;port&gt;" in data["html"]
    assert ("a", {"href": f"{SITE}/articles/ports/"}) in card.tags


def test_a_comment_s_permalink_names_its_embed(client, story):
    """The permalink redirects to the article page, whose head can only name the article's
    embed (the #c<id> never reaches the server): the redirect carries the comment's."""
    comment = story["comment"]
    response = client.get(f"/comments/{comment.pk}/")
    assert response.status_code == 302
    link = response["Link"]
    assert link.endswith('>; rel="alternate"; type="application/json+oembed"')
    endpoint = link[1 : link.index(">")]
    data = client.get(endpoint.removeprefix(SITE)).json()
    assert data["title"] == "Ada on “Ports & ships”"


@pytest.mark.parametrize("form", ["permalink", "fragment"])
def test_a_comment_embeds_from_its_permalink_or_its_anchor(client, story, form):
    comment = story["comment"]
    url = (
        f"{SITE}/comments/{comment.pk}/"
        if form == "permalink"
        else f"{SITE}/articles/ports/?page=1#c{comment.pk}"
    )
    data = ask_json(client, url)

    assert data["type"] == "rich"
    assert data["title"] == "Ada on “Ports & ships”"
    assert data["author_name"] == "Ada"
    assert "author_url" not in data  # readers have no public page
    assert data["width"] == oembed.DEFAULT_WIDTH
    card = assert_safe_card(data["html"])
    permalink = f"{SITE}/articles/ports/#c{comment.pk}"
    assert card.tags[1] == ("blockquote", {"cite": permalink})
    paragraphs = [t for t, _ in card.tags if t == "p"]
    assert len(paragraphs) == 2
    assert "First paragraph with emphasis and a link." in card.text
    assert "Second one." in card.text
    assert "Ada" in card.text
    assert ("a", {"href": permalink}) in card.tags  # the date links back to the comment
    assert ("a", {"href": f"{SITE}/articles/ports/"}) in card.tags
    assert comment.created_at.strftime("%Y-%m-%d") in str(card.tags)
    assert "example.org" not in data["html"]  # the comment's own links are not carried


def test_xml_is_the_same_response(client, story):
    comment_url = f"{SITE}/comments/{story['comment'].pk}/"
    response = ask(client, comment_url, format="xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == "oembed"
    as_xml = {child.tag: child.text for child in root}
    as_json = {key: str(value) for key, value in ask_json(client, comment_url).items()}
    assert as_xml == as_json


def test_maxwidth_and_maxheight_are_honoured(client, story):
    long_comment = CommentFactory(article=story["article"], body="word " * 400)
    url = f"{SITE}/comments/{long_comment.pk}/"
    free = ask_json(client, url)
    assert free["width"] == oembed.DEFAULT_WIDTH
    assert free["height"] > 300

    small = ask_json(client, url, maxwidth="320", maxheight="300")
    assert small["width"] == 320
    assert small["height"] <= 300
    text = parse_card(small["html"]).text
    assert "…" in text  # shortened to fit
    assert text.count("word") < 400

    wide = ask_json(client, url, maxwidth="5000")
    assert wide["width"] == oembed.DEFAULT_WIDTH


@pytest.mark.parametrize(
    "url",
    [
        "http://news.example/articles/ports/",
        "https://NEWS.example:443/articles/ports/?utm_source=x",
        "https://news.example/articles/ports/#comments",
    ],
)
def test_the_article_s_other_spellings_are_the_article(client, story, url):
    assert ask_json(client, url)["title"] == "Ports & ships"


def test_other_formats_are_not_implemented(client, story):
    response = ask(client, f"{SITE}/articles/ports/", format="yaml")
    assert response.status_code == 501


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/articles/ports/",
        "https://news.example.evil.example/articles/ports/",
        "https://news.example:8443/articles/ports/",
        "https://user@news.example/articles/ports/",
        f"{SITE}/articles/draft/",
        f"{SITE}/articles/tomorrow/",
        f"{SITE}/articles/nope/",
        f"{SITE}/tags/ports/",
        f"{SITE}/no-such-page/",
        f"{SITE}/comments/0/",
        f"{SITE}/comments/99999999999999999999999999/",
        f"{SITE}/articles/ports/#c99999999999999999999",
        f"{SITE}/articles/ports/#c" + "9" * 1900,
        "ftp://news.example/articles/ports/",
    ],
)
def test_unknown_and_unpublished_urls_are_404(client, story, url):
    ArticleFactory(slug="draft", status="draft")
    ArticleFactory(slug="tomorrow", published_at=timezone.now() + timedelta(days=1))
    response = ask(client, url)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "state",
    [
        {"status": "pending"},
        {"status": "hidden"},
        {"status": "spam"},
        {"status": "removed"},
        {"deleted_at": timezone.now},
        {"article__status": "draft"},
    ],
)
def test_comments_nobody_may_see_are_404_by_both_urls(client, story, state):
    values = {k: v() if callable(v) else v for k, v in state.items()}
    hidden = CommentFactory(**values)
    assert ask(client, f"{SITE}/comments/{hidden.pk}/").status_code == 404
    article_path = hidden.article.get_absolute_url()
    assert ask(client, f"{SITE}{article_path}#c{hidden.pk}").status_code == 404


def test_a_comment_is_embedded_only_from_its_own_article(client, story):
    other = ArticleFactory(slug="other")
    assert ask(client, f"{SITE}/articles/other/#c{story['comment'].pk}").status_code == 404
    assert other.pk  # the article exists; the comment is not on it


def test_unanswered_questions_in_qa_mode_are_404(client, db):
    article = ArticleFactory(slug="ask", is_qa=True)
    question = CommentFactory(article=article, body="When?")
    assert ask(client, f"{SITE}/comments/{question.pk}/").status_code == 404
    CommentFactory(
        article=article, parent=question, root=question, body="Soon.", author__is_staff=True
    )
    assert ask(client, f"{SITE}/comments/{question.pk}/").status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"url": ""},
        {"url": "not a url"},
        {"url": "/articles/ports/"},
        {"url": "http://[::1/articles/ports/"},
        {"url": "https://news.example:port/articles/ports/"},
        {"url": f"{SITE}/articles/ports/" + "x" * 3000},
        {"url": f"{SITE}/articles/ports/", "maxwidth": "abc"},
        {"url": f"{SITE}/articles/ports/", "maxwidth": "0"},
        {"url": f"{SITE}/articles/ports/", "maxwidth": "-5"},
        {"url": f"{SITE}/articles/ports/", "maxheight": "1e3"},
        {
            "url": f"{SITE}/articles/ports/",
            "maxheight": "٣٠٠",
        },  # Arabic-Indic digits: isdigit(), yet not ours
    ],
)
def test_malformed_requests_are_400(client, story, params):
    response = client.get("/oembed/?" + urlencode(params))
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_only_reads_are_allowed(client, story):
    url = "/oembed/?" + urlencode({"url": f"{SITE}/articles/ports/"})
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_responses_are_cacheable_like_anonymous_pages(client, story):
    response = ask(client, f"{SITE}/articles/ports/")
    assert "public" in response["Cache-Control"]
    assert "s-maxage" in response["Cache-Control"]
    assert ask(client, f"{SITE}/articles/nope/").get("Cache-Control", "") == ""

    client.force_login(UserFactory())
    signed_in = ask(client, f"{SITE}/articles/ports/")
    assert signed_in.status_code == 200
    assert "private" in signed_in["Cache-Control"]


def test_a_comment_embed_costs_a_fixed_number_of_queries(
    client, story, django_assert_max_num_queries
):
    """Stops a query per field (author, article) while building the card."""
    with django_assert_max_num_queries(1):
        ask_json(client, f"{SITE}/comments/{story['comment'].pk}/")


def test_the_article_page_advertises_its_embeds(client, story):
    head = parse_head(client.get("/articles/ports/").content)
    links = {
        link["type"]: link for link in head.link("alternate") if link["type"].endswith("+oembed")
    }
    assert set(links) == {"application/json+oembed", "text/xml+oembed"}
    for kind, link in links.items():
        assert link["title"] == "Ports & ships · newsite"
        address = urlsplit(link["href"])
        assert f"{address.scheme}://{address.netloc}{address.path}" == f"{SITE}/oembed/"
        response = client.get(f"{address.path}?{address.query}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith(kind.replace("+oembed", ""))
        assert b"Ports &amp; ships" in response.content  # the article's card, JSON or XML


def payloads() -> list[str]:
    lines = PAYLOADS.read_text(encoding="utf-8").splitlines()[1:]  # the first line is a header
    return [line for line in lines if line.strip()]


def test_hostile_comments_and_names_stay_text(client, story):
    """Every payload of the corpus, as a comment's body and its author's name: the card holds
    only its own markup, and the payload comes back as text."""
    article = story["article"]
    checked = 0
    for payload in payloads():
        comment = CommentFactory(
            article=article, body=payload, author=UserFactory(display_name=payload[:50])
        )
        for format_ in ("json", "xml"):
            response = ask(client, f"{SITE}/comments/{comment.pk}/", format=format_)
            assert response.status_code == 200, payload
            if format_ == "xml":
                root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
                html = root.find("html").text
            else:
                data = json.loads(response.content)
                html = data["html"]
                assert data["author_name"] == comment.author.public_name
            card = assert_safe_card(html)
            assert f"— {comment.author.public_name}," in card.text
        checked += 1
    assert checked > 250


def test_hostile_article_titles_and_standfirsts_stay_text(client, db):
    for number, payload in enumerate(payloads()):
        ArticleFactory(slug=f"hostile-{number}", title=payload[:300], summary=payload)
        data = ask_json(client, f"{SITE}/articles/hostile-{number}/")
        card = assert_safe_card(data["html"])
        assert data["title"] == payload[:300]
        assert " ".join(payload[:300].split()) in " ".join(card.text.split())


@pytest.mark.parametrize(
    "url",
    [
        f"{SITE}/articles/%00/",
        f"{SITE}/articles/ports/%",
        f"{SITE}/articles/por%0Ats/",
        f"{SITE}/comments/%2F..%2F/",
        f"{SITE}/comments/-1/",
        "https://news.éxample/articles/ports/",
        "https://xn--/articles/ports/",
        "https:///articles/ports/",
        "https://:443/articles/ports/",
        "https://news.example:99999/articles/ports/",
        "javascript:alert(1)//news.example/articles/ports/",
        "//news.example/articles/ports/",
        f"{SITE}/articles/ports/#c",
        f"{SITE}/articles/ports/#c1x",
        f"{SITE}/articles/ports/#c١",  # noqa: RUF001 - an Arabic-Indic digit
        "\u202ehttps://news.example/articles/ports/",
    ],
)
def test_odd_urls_never_break_the_endpoint(client, story, url):
    response = ask(client, url)
    assert response.status_code in {200, 400, 404}
    if response.status_code == 200:  # only the article itself, never a comment by accident
        assert json.loads(response.content)["title"] == "Ports & ships"
