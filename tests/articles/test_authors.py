"""Bylines: authors (staff accounts with a public name, page and bio), ordered on articles,
shown in headers and cards at no query, an author page with feeds, set in the admin and named
by seeds' front matter."""

import hashlib
import json
from pathlib import Path

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from articles.models import Article, ArticleAuthor, Author
from articles.seeds import SeedError, parse_seed, read_seed_file, seed_paths
from articles.services import Outcome, article_import, article_set_authors
from tests.factories import ArticleFactory, AuthorFactory, UserFactory

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FIXTURES = Path(__file__).resolve().parents[1] / "seed_fixtures"


@pytest.fixture
def jane(db):
    return AuthorFactory(name="Jane Doe", slug="jane-doe", bio="Jane covers Japan.")


@pytest.fixture
def kenji(db):
    return AuthorFactory(name="Kenji Sato", slug="kenji-sato")


# --- the model and the service -----------------------------------------------------------------


def test_authors_are_staff_accounts():
    author = Author(user=UserFactory(), name="Not Staff", slug="not-staff")
    with pytest.raises(ValidationError, match="Staff status"):
        author.full_clean()


def test_bylines_keep_the_order_given_and_follow_renames(jane, kenji):
    article = ArticleFactory()
    article_set_authors(article=article, authors=[kenji, jane])
    assert [b["name"] for b in article.bylines] == ["Kenji Sato", "Jane Doe"]
    assert article.author_user_ids == {kenji.user_id, jane.user_id}
    assert list(article.authors.order_by("bylined__position")) == [kenji, jane]
    article_set_authors(article=article, authors=[jane])
    article.refresh_from_db()
    assert article.bylines == [{"name": "Jane Doe", "slug": "jane-doe", "user": jane.user_id}]
    jane.name = "Jane Doe-Ito"
    jane.save()
    article.refresh_from_db()
    assert article.bylines[0]["name"] == "Jane Doe-Ito"


def test_bylines_follow_any_write_to_the_links(jane, kenji):
    article = ArticleFactory()
    article.authors.add(jane)
    ArticleAuthor.objects.create(article=article, author=kenji, position=5)
    article.refresh_from_db()
    assert [b["slug"] for b in article.bylines] == ["jane-doe", "kenji-sato"]
    jane.articles.clear()
    article.refresh_from_db()
    assert [b["slug"] for b in article.bylines] == ["kenji-sato"]


# --- pages -----------------------------------------------------------------------------------


def test_byline_in_the_article_header_and_the_cards(client, jane, kenji):
    article = ArticleFactory(title="Harbour reopens")
    article_set_authors(article=article, authors=[jane, kenji])
    expected = (
        '<span class="byline">By <a href="/authors/jane-doe/" rel="author">Jane Doe</a> and '
        '<a href="/authors/kenji-sato/" rel="author">Kenji Sato</a></span>'
    )
    assert expected in client.get(article.get_absolute_url()).content.decode()
    assert expected in client.get("/").content.decode()


def test_articles_without_authors_show_no_byline(client):
    article = ArticleFactory()
    assert 'class="byline"' not in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_bylines_cost_no_query_on_the_home_page(client, page_queries, jane, count):
    """Cards read the stored bylines: no query per card (the N+1 of article.authors.all)."""
    for _ in range(count):
        article_set_authors(article=ArticleFactory(), authors=[jane])
    with page_queries() as sql:
        response = client.get("/")
    assert len(sql) == 5, "\n".join(sql)  # as tests/articles/test_views.py counts it
    assert response.content.decode().count('rel="author">Jane Doe</a>') == count


def test_author_page_lists_their_published_articles(client, jane, kenji):
    theirs = ArticleFactory(title="Theirs")
    article_set_authors(article=theirs, authors=[jane])
    draft = ArticleFactory(title="Their draft", status=Article.Status.DRAFT)
    article_set_authors(article=draft, authors=[jane])
    article_set_authors(article=ArticleFactory(title="Someone else's"), authors=[kenji])
    response = client.get(jane.get_absolute_url())
    assert response.status_code == 200
    assert list(response.context["articles"]) == [theirs]
    html = response.content.decode()
    assert "<h1>Jane Doe</h1>" in html
    assert "Jane covers Japan." in html
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/authors/jane-doe/feed.atom"' in html
    assert client.get("/authors/nobody/").status_code == 404


def test_author_page_is_cached_and_renewed_when_they_change(
    jane, django_capture_on_commit_callbacks
):
    url = jane.get_absolute_url()
    assert "Jane covers Japan." in Client().get(url).content.decode()
    assert Client().get(url)["X-Page-Cache"] == "hit"
    jane.bio = "Jane now covers Korea."
    with django_capture_on_commit_callbacks(execute=True):
        jane.save()
    assert "Jane now covers Korea." in Client().get(url).content.decode()


@pytest.mark.parametrize(("suffix", "version"), [("rss", "rss20"), ("atom", "atom10")])
def test_author_feeds(client, jane, kenji, suffix, version):
    theirs = ArticleFactory(title="Harbour reopens")
    article_set_authors(article=theirs, authors=[jane, kenji])
    article_set_authors(article=ArticleFactory(title="Not theirs"), authors=[kenji])
    response = client.get(reverse(f"articles:author-feed-{suffix}", args=["jane-doe"]))
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == version
    assert feed.feed.title == "newsite: by Jane Doe"
    assert [entry.title for entry in feed.entries] == ["Harbour reopens"]
    assert feed.entries[0].author == "Jane Doe, Kenji Sato"
    assert client.get("/authors/nobody/feed.rss").status_code == 404


# --- the admin ---------------------------------------------------------------------------------


def test_editors_set_the_byline_in_the_article_form(admin_client, jane, kenji):
    from tests.admin.test_articles_admin import form_data

    article = ArticleFactory()
    data = form_data(
        article,
        **{
            "bylined-TOTAL_FORMS": "2",
            "bylined-0-author": str(jane.pk),
            "bylined-0-position": "2",
            "bylined-1-author": str(kenji.pk),
            "bylined-1-position": "1",
        },
    )
    response = admin_client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert [b["name"] for b in article.bylines] == ["Kenji Sato", "Jane Doe"]


def test_an_editor_sets_bylines_and_edits_bios_but_links_no_account(client, jane):
    from django.contrib.auth.models import Group

    from newsroom.roles import EDITORS
    from tests.admin.test_articles_admin import form_data

    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    article = ArticleFactory()
    data = form_data(
        article,
        **{
            "bylined-TOTAL_FORMS": "1",
            "bylined-0-author": str(jane.pk),
            "bylined-0-position": "0",
        },
    )
    response = client.post(reverse("admin:articles_article_change", args=[article.pk]), data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert [b["name"] for b in article.bylines] == ["Jane Doe"]
    change = client.get(reverse("admin:articles_author_change", args=[jane.pk])).content.decode()
    assert 'name="bio"' in change
    assert 'name="user"' not in change  # shown, not editable
    assert client.get(reverse("admin:articles_author_add")).status_code == 403


def test_author_autocomplete_for_the_byline(admin_client, jane):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "jan",
            "app_label": "articles",
            "model_name": "articleauthor",
            "field_name": "author",
        },
    )
    assert [r["text"] for r in response.json()["results"]] == ["Jane Doe"]


# --- seeds -----------------------------------------------------------------------------------

FRONT = """---
title: Harbour reopens
authors: {authors}
---
Body text.
"""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane Doe", ("Jane Doe",)),
        ("[Jane Doe, kenji-sato]", ("Jane Doe", "kenji-sato")),
        ("Jane Doe, Kenji Sato", ("Jane Doe", "Kenji Sato")),
        ("", ()),
    ],
)
def test_front_matter_names_authors(value, expected):
    assert parse_seed(FRONT.format(authors=value), name="a.md").authors == expected


def test_front_matter_authors_limits():
    many = "[" + ", ".join(f"Person {n}" for n in range(11)) + "]"
    with pytest.raises(SeedError, match="more than 10 authors"):
        parse_seed(FRONT.format(authors=many), name="a.md")
    with pytest.raises(SeedError, match="characters; the limit is 100"):
        parse_seed(FRONT.format(authors="x" * 101), name="a.md")
    with pytest.raises(SeedError, match="must be a list or a string"):
        parse_seed(FRONT.format(authors="{a: b}"), name="a.md")


def test_scraped_text_never_yields_authors():
    text = "Harbour reopens\n\nBy Jane Doe\n\nThe harbour reopened on Monday, officials said."
    parsed = parse_seed(text, name="a.txt")
    assert parsed.authors == ()
    kept = [parsed.body, *parsed.tags, *parsed.dropped]  # wherever the scrape rules put it
    assert any("By Jane Doe" in text for text in kept)


def _digest_before_authors(parsed) -> str:
    """The digest formula before bylines existed."""
    payload = {
        "title": parsed.title,
        "summary": parsed.summary,
        "body": parsed.body,
        "tags": sorted(parsed.tags),
        "sources": sorted(parsed.sources),
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def test_existing_seeds_parse_and_digest_as_before():
    """Seeds without authors keep their digest: a re-import after this change is 'unchanged'."""
    checked = 0
    for path in seed_paths([SEEDS, FIXTURES]):
        try:
            parsed = read_seed_file(path)
        except SeedError:
            continue
        if parsed.image is not None:
            continue  # seeds with a lead image came after bylines
        assert parsed.authors == ()
        assert parsed.digest == _digest_before_authors(parsed)
        checked += 1
    assert checked >= 5


def test_import_links_named_authors_by_name_or_slug(jane, kenji):
    parsed = parse_seed(FRONT.format(authors="[jane doe, kenji-sato]"), name="a.md")
    outcome, article = article_import(parsed=parsed)
    assert outcome is Outcome.CREATED
    assert [b["name"] for b in article.bylines] == ["Jane Doe", "Kenji Sato"]
    assert article_import(parsed=parsed)[0] is Outcome.UNCHANGED
    reordered = parse_seed(FRONT.format(authors="[Kenji Sato, Jane Doe]"), name="a.md")
    outcome, article = article_import(parsed=reordered)
    assert outcome is Outcome.UPDATED
    assert [b["name"] for b in article.bylines] == ["Kenji Sato", "Jane Doe"]


def test_import_refuses_an_unknown_author(jane):
    parsed = parse_seed(FRONT.format(authors="[Jane Doe, Nobody Known]"), name="a.md")
    with pytest.raises(ValidationError, match="no author named 'Nobody Known'"):
        article_import(parsed=parsed)


def test_load_seeds_reports_an_unknown_author(tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    (tmp_path / "a.md").write_text(FRONT.format(authors="Nobody Known"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_seeds", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "a.md: cannot import: authors: no author named 'Nobody Known'" in err.getvalue()
    assert not Article.objects.exists()
