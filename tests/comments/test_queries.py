"""Query-count guards for the article page's discussion, from 0 to 5,000 comments.

Counted without the cache's own statements (on SQLite the shared cache is a table; in
production it is Redis).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import services
from comments.models import Comment, CommentLike
from tests.conftest import clear_caches, is_cache_statement
from tests.factories import UserFactory, relaxed_moderation

pytestmark = pytest.mark.django_db

SIZES = [0, 1, 5, 50, 500, 5000]  # 5 and 50 comments cost the same queries as 5,000
# The article with its tags and sources (3), the moderation rules (1), a page of threads with
# their total (1), the page's replies (1), the structured data's first comments (1, its fragment
# is keyed by the discussion), the fediverse's boosts and favourites (1, in a fragment keyed by
# the discussion too).
ANONYMOUS = 8
# Those, and the reader (1), their verified address (1), whether they follow the discussion (1)
# and what they like on the page (1); their session is read from the cache.
SIGNED_IN = ANONYMOUS + 4
# With nothing kept at all: also related stories (1), and the discussion's moderation record
# (its counts, and its reviews of the last 7 days: 2), which is then kept for 5 minutes.
NOTHING_CACHED = ANONYMOUS + 1 + 2


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


def sql_for_page(client, url: str, page_queries) -> list[str]:
    with page_queries() as sql:
        response = client.get(url)
    assert response.status_code == 200
    return sql


@pytest.fixture
def discussion(article, rules, django_capture_on_commit_callbacks):
    """Build `total` comments, view the page once, then post one more as a new comment does:
    the page is then seen as most views after a comment see it (the article's fragments
    kept, the discussion's version renewed)."""

    def build(total: int, client) -> str:
        make_discussion(article, total, [UserFactory() for _ in range(5)])
        url = article.get_absolute_url()
        client.get(url)
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_create(article=article, author=UserFactory(), body="Fresh news")
        return url

    return build


@pytest.mark.parametrize("total", SIZES)
def test_anonymous_article_page_after_a_new_comment(client, discussion, page_queries, total):
    url = discussion(total, client)
    sql = sql_for_page(client, url, page_queries)
    assert len(sql) == ANONYMOUS, "\n".join(sql)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert sql_for_page(client, url, page_queries) == []  # then the whole page is kept


@pytest.mark.parametrize("total", SIZES)
def test_signed_in_article_page_after_a_new_comment(
    client, discussion, reader, page_queries, total
):
    client.force_login(reader)
    url = discussion(total, client)
    CommentLike.objects.bulk_create(
        CommentLike(comment=comment, user=reader) for comment in Comment.objects.all()[:50]
    )
    sql = sql_for_page(client, url, page_queries)
    assert len(sql) == SIGNED_IN, "\n".join(sql)
    assert sum("comments_commentlike" in statement for statement in sql) == 1


@pytest.mark.parametrize("signed_in", [False, True])
def test_nothing_cached_costs_the_same_for_50_and_5000_comments(
    client, article, rules, reader, page_queries, signed_in
):
    """The first page of a 5,000-comment article, rendered from nothing, as a 50-comment one."""
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
        clear_caches()
        counts.append(len(sql_for_page(client, page.get_absolute_url(), page_queries)))
    # Signed in, the reader's queries too, and their session from the database.
    expected = NOTHING_CACHED + (SIGNED_IN - ANONYMOUS + 1 if signed_in else 0)
    assert counts[0] == counts[1] == expected
    assert Comment.objects.filter(article=large).count() == 5000


def test_posting_a_comment(client, article, rules, reader):
    """At most 12 statements besides the cache's (Redis in production: the rate limits), and
    the author's standing (a query of three subqueries) read once, for the address limit and
    the holds alike."""
    client.force_login(reader)
    client.get(article.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("comments:create", args=[article.pk]),
            {"body": "A comment", "client_token": "a" * 32},
        )
    assert response.status_code == 302
    sql = [q["sql"] for q in captured.captured_queries if not is_cache_statement(q["sql"])]
    assert len(sql) <= 12, "\n".join(sql)
    assert len([query for query in sql if "comments_trustchange" in query]) == 1, "\n".join(sql)
    assert Comment.objects.filter(article=article, body="A comment").count() == 1


@pytest.mark.parametrize("own", [1, 20])
def test_a_reader_s_own_comments_cost_one_query_however_many(
    client, article, reader, page_queries, own
):
    """Which of the reader's comments may still be edited: one query for all of them (the
    N+1 of asking, comment by comment, whether a moderator has decided on it)."""
    relaxed_moderation(user_rate_limit=own)
    for number in range(own):
        services.comment_create(article=article, author=reader, body=f"Mine {number}")
    client.force_login(reader)
    client.get(article.get_absolute_url())
    sql = sql_for_page(client, article.get_absolute_url(), page_queries)
    # The structured data and the fediverse reactions are kept from the first view; the
    # moderators' decisions are read.
    assert len(sql) == SIGNED_IN - 2 + 1, "\n".join(sql)
    assert sum("comments_moderationaction" in statement for statement in sql) == 1
