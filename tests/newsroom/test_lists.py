"""Page 2 of any list says so in its heading and title; tag and source pages link their
feeds visibly, not only in <head>."""

import re

import pytest
from django.test import override_settings

from tests.factories import ArticleFactory, AuthorFactory, SourceFactory, TagFactory

pytestmark = pytest.mark.django_db


def heading_and_title(html: str) -> tuple[str, str]:
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)[1]
    title = re.search(r"<title>(.*?)</title>", html, re.S)[1]
    return " ".join(h1.split()), " ".join(title.split())


@override_settings(SEARCH_RESULTS_PER_PAGE=2)
def test_page_two_of_every_list_says_so(client, monkeypatch):
    from articles.views import ArticleListView

    # Read once at import: the class attribute is what the list views page by.
    monkeypatch.setattr(ArticleListView, "paginate_by", 2)
    tag, source = TagFactory(name="Security"), SourceFactory(name="Reuters")
    author = AuthorFactory(name="Jane Writer")
    for n in range(3):
        article = ArticleFactory(title=f"Storm story {n}", tags=[tag], sources=[source])
        article.authors.add(author)
    cases = {
        "/": "Latest news",
        tag.get_absolute_url(): "Tagged “Security”",
        source.get_absolute_url(): "From Reuters",
        author.get_absolute_url(): "Jane Writer",
        "/search/?q=storm": "Search: storm",
    }
    for path, name in cases.items():
        joiner = "&" if "?" in path else "?"
        first = client.get(path).content.decode()
        second = client.get(f"{path}{joiner}page=2").content.decode()
        h1, title = heading_and_title(second)
        assert h1 == f"{name} — page 2", path
        assert title.startswith(f"{name} — page 2 · "), path
        assert "page 2" not in " ".join(heading_and_title(first)), path


def test_tag_and_source_pages_link_their_feeds_visibly(client):
    tag, source = (
        TagFactory(name="Security", slug="security"),
        SourceFactory(name="Reuters", slug="reuters"),
    )
    ArticleFactory(tags=[tag], sources=[source])
    for page, kind in ((tag, "tags"), (source, "sources")):
        html = client.get(page.get_absolute_url()).content.decode()
        body = html.split("<body", 1)[1]  # not the <link rel="alternate"> in <head>
        assert '<p class="feed-links">' in body
        for label, kind_type in (
            ("RSS", "rss+xml"),
            ("Atom", "atom+xml"),
            ("JSON Feed", "feed+json"),
        ):
            link = (
                rf'<a href="/{kind}/{page.slug}/feed\.[a-z]+" '
                rf'type="application/{re.escape(kind_type)}">{label} feed</a>'
            )
            assert re.search(link, body), (kind, label)
