"""Query-count guards for the article page's discussion, from 0 to 5,000 comments.

Counted as a page is seen in production: the page cache misses (it is switched off here), and
the fragments are in the state a new comment leaves them (the discussion's generation renewed).
On SQLite the cache is a database table, so its one read of the generation tokens counts.
"""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services
from comments.models import Comment, CommentLike
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]

SIZES = [0, 1, 50, 500, 5000]
# The cache's tokens (1), the article (1), a page of threads with their total (1), the page's
# replies (1), the structured data's first comments (1).
ANONYMOUS = 5
# Those, and the session (1), the reader (1), what the page needs to know about them (1) and
# their likes (1); the cache's read is a Redis round trip in production, so it is left out.
SIGNED_IN = 8


def make_discussion(article, total: int, authors) -> None:
    """`total` comments: a fifth top-level, the rest replies nested up to depth 3 (and deeper
    ones answering a reply at depth 3, as comment_create makes them)."""
    if not total:
        return
    top_count = max(1, total // 5)
    tops = Comment.objects.bulk_create(
        Comment(
            article=article,
            author=authors[i % len(authors)],
            body=f"Top {i}",
            body_html=f"<p>Top {i}</p>",
            like_count=i % 7,
        )
        for i in range(top_count)
    )
    level, made = tops, top_count
    while made < total:
        level = Comment.objects.bulk_create(
            Comment(
                article=article,
                author=authors[(made + j) % len(authors)],
                parent=parent,
                root_id=parent.root_id or parent.pk,
                depth=min(parent.depth + 1, 3),
                reply_to=parent if parent.depth == 3 else None,  # "in reply to" past the cap
                body=f"Reply {made + j}",
                body_html=f"<p>Reply {made + j}</p>",
            )
            for j, parent in enumerate(level[: total - made])
        )
        made += len(level)
    article.comment_count = total
    article.save()


def sql_for_page(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def database_queries(sql: list[str]) -> list[str]:
    return [statement for statement in sql if "django_cache" not in statement]


@pytest.fixture
def discussion(article, rules, settings, django_capture_on_commit_callbacks):
    """Build `total` comments, view the page once, then post one more as a new comment does."""
    settings.PAGE_CACHE = False  # measure the page as rendered, not the whole-page cache

    def build(total: int, client) -> str:
        make_discussion(article, total, [UserFactory() for _ in range(5)])
        url = article.get_absolute_url()
        client.get(url)  # the tokens exist and the article's own fragments are warm
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_create(article=article, author=UserFactory(), body="Fresh news")
        return url

    return build


@pytest.mark.parametrize("total", SIZES)
def test_anonymous_article_page_after_a_new_comment(client, discussion, total):
    url = discussion(total, client)
    sql = sql_for_page(client, url)
    assert len(sql) <= ANONYMOUS, "\n".join(sql)
    assert database_queries(sql_for_page(client, url)) == []  # then all from caches


@pytest.mark.parametrize("total", SIZES)
def test_signed_in_article_page_after_a_new_comment(client, discussion, reader, total):
    client.force_login(reader)
    url = discussion(total, client)
    CommentLike.objects.bulk_create(
        CommentLike(comment=comment, user=reader) for comment in Comment.objects.all()[:50]
    )
    sql = database_queries(sql_for_page(client, url))
    assert len(sql) <= SIGNED_IN, "\n".join(sql)
    # Then the page is shared, and the session comes with the cache's tokens: one query reads
    # the reader with their facts and likes (accounts.backends.loading_user_with).
    later = database_queries(sql_for_page(client, url))
    assert len(later) == 1, "\n".join(later)
    assert "comments_commentlike" in later[0]


@pytest.mark.parametrize("signed_in", [False, True])
def test_nothing_cached_costs_the_same_for_50_and_5000_comments(
    client, article, rules, reader, settings, signed_in
):
    """The first page of a 5,000-comment article, rendered from nothing, as a 50-comment one."""
    settings.PAGE_CACHE = False
    small, large = (
        article,
        type(article).objects.create(
            title="Big story", slug="big-story", body="Text", status="published"
        ),
    )
    authors = [UserFactory() for _ in range(5)]
    make_discussion(small, 50, authors)
    make_discussion(large, 5000, authors)
    if signed_in:
        client.force_login(reader)
    counts = []
    for page in (small, large):
        client.get(page.get_absolute_url())  # the generation tokens exist
        caches["fragments"].clear()
        counts.append(len(sql_for_page(client, page.get_absolute_url())))
    assert counts[0] == counts[1] <= (14 if signed_in else 10)
    assert Comment.objects.filter(article=large).count() == 5000


def test_posting_a_comment(client, article, rules, reader):
    """At most 12 statements besides the cache's (Redis in production: the rate limits)."""
    client.force_login(reader)
    client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("comments:create", args=[article.pk]),
            {"body": "A comment", "client_token": "a" * 32},
        )
    assert response.status_code == 302
    sql = [
        statement
        for statement in database_queries([q["sql"] for q in captured.captured_queries])
        if "SAVEPOINT" not in statement
    ]
    assert len(sql) <= 12, "\n".join(sql)
    assert Comment.objects.filter(article=article, body="A comment").count() == 1
