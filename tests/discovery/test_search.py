import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from discovery.search import (
    FTS_TABLE,
    MARK_END,
    MARK_START,
    MAX_TERMS,
    highlight_html,
    search_articles,
    search_terms,
    search_vector,
)
from tests.factories import ArticleFactory, TagFactory

BODY = "Nothing to see here.\n\nJust filler text about weather and ports."


def _titles(query: str) -> list[str]:
    results = search_articles(query)
    return [hit.article.title for hit in results[0 : results.count()]]


@pytest.fixture
def stories(db):
    return {
        "title": ArticleFactory(title="Huawei devices banned", summary="Procurement.", body=BODY),
        "summary": ArticleFactory(
            title="Government procurement", summary="Huawei is out.", body=BODY
        ),
        "body": ArticleFactory(
            title="Weekly roundup", summary="Odds and ends.", body=f"{BODY}\n\nAlso Huawei."
        ),
        "other": ArticleFactory(title="Ports reopen", summary="Calm seas.", body=BODY),
    }


def test_ranks_title_then_summary_then_body(stories):
    assert _titles("huawei") == [
        "Huawei devices banned",
        "Government procurement",
        "Weekly roundup",
    ]


def test_every_word_must_match_and_words_are_stemmed(stories):
    # Each has one word in its title and the other in its summary: equal rank, either order.
    assert sorted(_titles("huawei procurement")) == [
        "Government procurement",
        "Huawei devices banned",
    ]
    # "device" finds "devices", "ban" finds "banned" (Porter on SQLite, English on PostgreSQL).
    assert _titles("device ban") == ["Huawei devices banned"]
    assert _titles("HUAWEI") == _titles("huawei")


def test_only_published_articles_are_found(db):
    ArticleFactory(title="Zebra crossing", status="draft")
    ArticleFactory(title="Zebra tomorrow", published_at=timezone.now() + timedelta(days=1))
    ArticleFactory(title="Zebra today")
    assert _titles("zebra") == ["Zebra today"]


def test_index_follows_edits_and_deletions(db):
    article = ArticleFactory(title="Original headline")
    assert _titles("original") == ["Original headline"]
    article.title = "Rewritten headline"
    article.save()
    assert _titles("original") == []
    assert _titles("rewritten") == ["Rewritten headline"]
    article.delete()
    assert _titles("rewritten") == []


def test_search_terms_drop_query_syntax():
    assert search_terms('"huawei" NEAR(ban*) -zte title:x') == [
        "huawei",
        "NEAR",
        "ban",
        "zte",
        "title",
        "x",
    ]
    assert len(search_terms("word " * 100)) == MAX_TERMS
    assert search_terms('  *** --- "" ') == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unterminated',
        "*",
        "a*",
        "NEAR",
        "NEAR(a b, 2)",
        "-",
        "-huawei",
        "AND",
        "a OR",
        "NOT b",
        "(((",
        ")",
        "^huawei",
        "title:huawei",
        "{title body}:x",
        "'",
        "\\",
        "%",
        "%s %(x)s",
        "😀 🚀",
        "日本 政府",
        "x" * 5000,
        "word " * 500,
        "the",
        "   ",
    ],
)
def test_garbage_queries_never_fail(client, stories, query):
    response = client.get(reverse("discovery:search"), {"q": query})
    assert response.status_code == 200


def test_empty_query_shows_the_form_without_results(client, stories):
    response = client.get(reverse("discovery:search"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="search-q"' in html
    assert "search-hit" not in html
    assert "result" not in html.split("</form>", 2)[-1]


def test_results_page_shows_highlighted_title_and_snippet(client, stories):
    html = client.get(reverse("discovery:search"), {"q": "huawei"}).content.decode()
    assert "3 results for “huawei”." in html
    assert '<a href="/articles/' in html
    assert "<mark>Huawei</mark> devices banned" in html
    assert "Also <mark>Huawei</mark>" in html
    assert "<mark>Huawei</mark> is out." in html


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def test_snippets_escape_everything_but_mark(client, db):
    ArticleFactory(
        title='<script>alert("x")</script> Huawei <img src=x onerror=alert(1)>',
        summary="<b>bold</b> Huawei",
        body='Huawei said <iframe src="//evil"></iframe> and \\*stars\\*.',
    )
    html = client.get(reverse("discovery:search"), {"q": "huawei"}).content.decode()
    hit = html[html.index('<article class="card search-hit">') :]
    hit = hit[: hit.index("</article>")]

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>Huawei</mark>" in hit
    assert "&lt;img src=x onerror=alert(1)&gt;" in hit
    assert "<iframe" not in hit
    assert "*stars" in hit  # Markdown escapes are shown as the characters they stand for
    assert "\\*" not in hit
    parser = _Tags()
    parser.feed(hit)
    assert set(parser.tags) == {"article", "h2", "a", "p", "time", "mark"}


def test_highlight_html_only_ever_emits_balanced_marks():
    text = f"{MARK_END}a {MARK_START}b{MARK_START} <i>{MARK_END} c {MARK_START}d"
    assert highlight_html(text) == "a <mark>b &lt;i&gt;</mark> c <mark>d</mark>"
    assert str(highlight_html("a\n\nb  c")) == "a b c"


def test_results_are_paginated_and_keep_the_query(client, db, settings):
    settings.SEARCH_RESULTS_PER_PAGE = 5
    for n in range(7):
        ArticleFactory(title=f"Storm report {n}", published_at=timezone.now() - timedelta(hours=n))
    first = client.get(reverse("discovery:search"), {"q": "storm"}).content.decode()
    second = client.get(reverse("discovery:search"), {"q": "storm", "page": "2"}).content.decode()
    beyond = client.get(reverse("discovery:search"), {"q": "storm", "page": "99"})
    junk = client.get(reverse("discovery:search"), {"q": "storm", "page": "x'--"})

    assert first.count('class="card search-hit"') == 5
    assert second.count('class="card search-hit"') == 2
    assert 'href="?q=storm&amp;page=2" rel="next"' in first
    assert 'href="?q=storm&amp;page=1" rel="prev"' in second
    assert "7 results" in first
    assert beyond.status_code == junk.status_code == 200
    assert beyond.content.decode().count('class="card search-hit"') == 2


def test_search_page_queries_do_not_grow_with_results(client, db, django_assert_max_num_queries):
    """Stops a query per result: a count, the ranked page and (on SQLite) its articles."""
    for n in range(10):
        ArticleFactory(title=f"Harbour news {n}", tags=[TagFactory()])
    with django_assert_max_num_queries(3):
        response = client.get(reverse("discovery:search"), {"q": "harbour"})
    assert response.content.decode().count('class="card search-hit"') == 10


def test_header_has_a_labelled_search_form(client, db):
    html = client.get(reverse("articles:home")).content.decode()
    form = html[html.index('<form class="site-search"') :]
    form = form[: form.index("</form>")]
    assert 'role="search"' in form
    assert f'action="{reverse("discovery:search")}"' in form
    assert 'method="get"' in form
    assert '<label for="site-search-q"' in form
    assert 'id="site-search-q" name="q"' in form


def test_search_index_is_used_and_survives_a_table_rebuild(db):
    """SQLite: triggers dropped by a rebuild of articles_article come back on post_migrate.
    PostgreSQL: the query's expression matches the GIN index, so the planner can use it."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for suffix in ("insert", "update", "delete"):
                cursor.execute(f"DROP TRIGGER discovery_article_fts_{suffix}")
        ArticleFactory(title="Written while the triggers were missing")
        assert _titles("missing") == []
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # as migrate does
        assert _titles("missing") == ["Written while the triggers were missing"]
        ArticleFactory(title="Written after the repair")
        assert _titles("repair") == ["Written after the repair"]
    else:
        ArticleFactory(title="Indexed story")
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            # The production vector and query, without the published filter (whose own
            # index the planner prefers on a table this small).
            query = search_articles("indexed").query
            matching = Article.objects.annotate(search=search_vector()).filter(search=query)
            sql, params = matching.values("pk").query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "discovery_article_search_idx" in plan
        assert re.search(r"Bitmap Index Scan on discovery_article_search_idx", plan)
        assert _titles("indexed") == ["Indexed story"]


@pytest.mark.django_db(transaction=True)
def test_the_search_index_migration_unapplies_and_applies_again():
    from django.db.migrations.executor import MigrationExecutor

    def index_exists() -> bool:
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
            if connection.vendor == "sqlite":
                return FTS_TABLE in tables
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE indexname = %s", ["discovery_article_search_idx"]
            )
            return cursor.fetchone() is not None

    def migrate(target) -> None:
        executor = MigrationExecutor(connection)
        executor.migrate([target])

    assert index_exists()
    migrate(("discovery", None))
    assert not index_exists()
    migrate(("discovery", "0001_search_index"))
    assert index_exists()
    ArticleFactory(title="Found again after the round trip")
    assert _titles("round trip") == ["Found again after the round trip"]
