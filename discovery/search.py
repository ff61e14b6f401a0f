"""Full-text search over article titles, summaries and bodies.

SQLite (the default database) uses an FTS5 table kept in step by triggers; PostgreSQL uses its
own full-text search with a GIN index on the same expression the query uses. Both rank (title
above summary above body), highlight with markers we choose, and escape everything else, so the
only markup a result can carry is <mark>.

Reader input never reaches either query language: it is cut to words, and each word is quoted
(FTS5) or handed to plainto_tsquery (PostgreSQL), so quotes, `*`, `NEAR`, `-` or `:` are text.
"""

import difflib
import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection, connections
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Source, Tag

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
# Private-use characters: never typed by readers, so they can only come from the highlighter.
MARK_START, MARK_END = "\ue000", "\ue001"

FTS_TABLE = "discovery_article_fts"
# Triggers on articles_article; `discovery.apps` re-creates them if a migration dropped them.
SQLITE_TRIGGERS = {
    "discovery_article_fts_insert": """
        CREATE TRIGGER discovery_article_fts_insert AFTER INSERT ON articles_article BEGIN
            INSERT INTO discovery_article_fts(rowid, title, summary, body)
            VALUES (new.id, new.title, new.summary, new.body);
        END""",
    "discovery_article_fts_delete": """
        CREATE TRIGGER discovery_article_fts_delete AFTER DELETE ON articles_article BEGIN
            INSERT INTO discovery_article_fts(discovery_article_fts, rowid, title, summary, body)
            VALUES ('delete', old.id, old.title, old.summary, old.body);
        END""",
    # Only the indexed columns: a comment count going up does not touch the index.
    "discovery_article_fts_update": """
        CREATE TRIGGER discovery_article_fts_update AFTER UPDATE OF title, summary, body
        ON articles_article BEGIN
            INSERT INTO discovery_article_fts(discovery_article_fts, rowid, title, summary, body)
            VALUES ('delete', old.id, old.title, old.summary, old.body);
            INSERT INTO discovery_article_fts(rowid, title, summary, body)
            VALUES (new.id, new.title, new.summary, new.body);
        END""",
}
SQLITE_REBUILD = "INSERT INTO discovery_article_fts(discovery_article_fts) VALUES ('rebuild')"

POSTGRES_CONFIG = "english"
POSTGRES_INDEX = "discovery_article_search_idx"


def search_vector() -> SearchVector:
    """Must stay the expression of the GIN index in migrations/0001 for the index to be used."""
    return (
        SearchVector("title", weight="A", config=POSTGRES_CONFIG)
        + SearchVector("summary", weight="B", config=POSTGRES_CONFIG)
        + SearchVector("body", weight="C", config=POSTGRES_CONFIG)
    )


def search_terms(query: str) -> list[str]:
    """The words of a reader's query, at most MAX_TERMS of them; punctuation is dropped."""
    return re.findall(r"\w+", query[:MAX_QUERY_LENGTH])[:MAX_TERMS]


_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_WHITESPACE = re.compile(r"\s+")


def highlight_html(text: str) -> SafeString:
    """Escape a highlighted fragment, turning only balanced markers into <mark> elements."""
    out: list[str] = []
    marking = False
    for part in re.split(f"([{MARK_START}{MARK_END}])", text):
        if part == MARK_START:
            if not marking:
                out.append("<mark>")
            marking = True
        elif part == MARK_END:
            if marking:
                out.append("</mark>")
            marking = False
        else:
            # Bodies are Markdown: show `\*` as `*`, and newlines as spaces.
            out.append(escape(_WHITESPACE.sub(" ", _MARKDOWN_ESCAPE.sub(r"\1", part))))
    if marking:
        out.append("</mark>")
    return mark_safe("".join(out))  # noqa: S308 - every piece escaped above


@dataclass
class SearchHit:
    article: Article
    title_html: SafeString
    snippet_html: SafeString


def _best_snippet(*fragments: str) -> str:
    """The first fragment that contains a highlighted word, else the first non-empty one."""
    for fragment in fragments:
        if MARK_START in fragment:
            return fragment
    return next((fragment for fragment in fragments if fragment), "")


class SqliteResults:
    """Ranked FTS5 matches among published articles; sliceable and countable for Paginator."""

    def __init__(self, terms: list[str]) -> None:
        self.match = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
        self.published_sql, self.published_params = (
            Article.objects.published().values("pk").query.sql_with_params()
        )

    def _where(self) -> tuple[str, list]:
        where = f"{FTS_TABLE} MATCH %s AND rowid IN ({self.published_sql})"
        return where, [self.match, *self.published_params]

    def count(self) -> int:
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {where}", params)  # noqa: S608
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[SearchHit]:
        where, params = self._where()
        marks = [MARK_START, MARK_END]
        sql = f"""
            SELECT rowid,
                   highlight({FTS_TABLE}, 0, %s, %s),
                   snippet({FTS_TABLE}, 2, %s, %s, '…', 30),
                   highlight({FTS_TABLE}, 1, %s, %s)
            FROM {FTS_TABLE} WHERE {where}
            ORDER BY bm25({FTS_TABLE}, 10.0, 4.0, 1.0), rowid DESC
            LIMIT %s OFFSET %s
        """  # noqa: S608 - only our table name is formatted in; the rest are parameters
        limit = page.stop - page.start
        with connection.cursor() as cursor:
            cursor.execute(sql, [*marks, *marks, *marks, *params, limit, page.start])
            rows = cursor.fetchall()
        articles = Article.objects.defer("body", "body_html").in_bulk([row[0] for row in rows])
        return [
            SearchHit(
                article=articles[pk],
                title_html=highlight_html(title),
                snippet_html=highlight_html(_best_snippet(body, summary)),
            )
            for pk, title, body, summary in rows
            if pk in articles
        ]


class PostgresResults:
    """Ranked matches from PostgreSQL full-text search, with ts_headline snippets."""

    def __init__(self, terms: list[str]) -> None:
        self.query = SearchQuery(" ".join(terms), config=POSTGRES_CONFIG, search_type="plain")

    def _matching(self):
        return (
            Article.objects.published().annotate(search=search_vector()).filter(search=self.query)
        )

    def count(self) -> int:
        return self._matching().count()

    def _headline(self, field: str, **options) -> SearchHeadline:
        return SearchHeadline(
            field,
            self.query,
            config=POSTGRES_CONFIG,
            start_sel=MARK_START,
            stop_sel=MARK_END,
            **options,
        )

    def __getitem__(self, page: slice) -> list[SearchHit]:
        articles = (
            self._matching()
            .defer("body", "body_html")
            .annotate(
                rank=SearchRank(search_vector(), self.query),
                title_html=self._headline("title", highlight_all=True),
                summary_html=self._headline("summary", highlight_all=True),
                body_html_snippet=self._headline(
                    "body", max_words=35, min_words=15, max_fragments=2, fragment_delimiter=" … "
                ),
            )
            .order_by("-rank", "-published_at", "-id")[page]
        )
        return [
            SearchHit(
                article=article,
                title_html=highlight_html(article.title_html),
                snippet_html=highlight_html(
                    _best_snippet(article.body_html_snippet, article.summary_html)
                ),
            )
            for article in articles
        ]


class NoResults:
    def count(self) -> int:
        return 0

    def __getitem__(self, page: slice) -> list[SearchHit]:
        return []


def search_articles(query: str) -> SqliteResults | PostgresResults | NoResults:
    """Published articles matching the reader's words, best first; lazy, for a Paginator."""
    terms = search_terms(query)
    if not terms:
        return NoResults()
    if connection.vendor == "postgresql":
        return PostgresResults(terms)
    return SqliteResults(terms)


# Typo tolerance, tried only when a search finds nothing: each word that no title, tag or
# source contains is replaced by the closest word that one does ("Huawai" -> "huawei"), and
# the search runs again with the corrected words. One method for both databases, so results
# and highlights stay those of the full-text search; the candidates differ:
# - PostgreSQL: pg_trgm trigram word similarity picks the published titles holding a close
#   word (an index-friendly query, however many articles there are);
# - SQLite: the newest VOCABULARY_TITLES titles plus every tag and source name.
# difflib then chooses the closest word among the candidates.
VOCABULARY_TITLES = 2000
TRIGRAM_THRESHOLD = 0.3
CLOSE_ENOUGH = 0.75
MIN_CORRECTABLE_LENGTH = 4


def _words(texts) -> set[str]:
    return {word.lower() for text in texts for word in re.findall(r"\w+", text or "")}


def _candidate_words(term: str) -> set[str]:
    names = [
        *Tag.objects.values_list("name", flat=True),
        *Source.objects.values_list("name", flat=True),
    ]
    published = Article.objects.published()
    if connection.vendor == "postgresql":
        titles = (
            published.annotate(closeness=TrigramWordSimilarity(term, "title"))
            .filter(closeness__gte=TRIGRAM_THRESHOLD)
            .order_by("-closeness")
            .values_list("title", flat=True)[:20]
        )
    else:
        titles = published.order_by("-published_at").values_list("title", flat=True)[
            :VOCABULARY_TITLES
        ]
    return _words([*names, *titles])


def corrected_terms(terms: list[str]) -> list[str] | None:
    """The reader's words with likely typos corrected, or None when nothing changed."""
    corrected, changed = [], False
    for term in terms:
        word = term.lower()
        candidates = _candidate_words(word) if len(word) >= MIN_CORRECTABLE_LENGTH else set()
        if candidates and word not in candidates:
            close = difflib.get_close_matches(word, candidates, n=1, cutoff=CLOSE_ENOUGH)
            if close:
                word, changed = close[0], True
        corrected.append(word if word != term.lower() else term)
    return corrected if changed else None


def ensure_search_index(*, using: str = "default", **kwargs) -> None:
    """Put back SQLite triggers that a rebuild of articles_article dropped, then reindex."""
    db = connections[using]
    if db.vendor != "sqlite":
        return
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            [f"{FTS_TABLE}%"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if FTS_TABLE not in present:
            return  # the search migration is not applied
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        if missing:
            cursor.execute(SQLITE_REBUILD)
