"""Query-count guards for the article page's discussion."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Comment, CommentLike
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

# Article (1), its tags (1) and sources (1); moderation settings (1); top-level count (1) and
# page (1); replies of the page (1); the reader's likes (1); session/user (2); e-mail verified
# (1); following (1); other features of the page (related articles, structured data) about 2.
# Measured: 14 for a signed-in reader, 9 for anonymous. Nothing grows with the comments.
MAX_QUERIES = 16


def make_discussion(article, total: int, authors) -> None:
    """`total` comments: a fifth top-level, the rest replies nested up to depth 3."""
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
                body=f"Reply {made + j}",
                body_html=f"<p>Reply {made + j}</p>",
            )
            for j, parent in enumerate(level[: total - made])
        )
        made += len(level)
    article.comment_count = total
    article.save()


def queries_for_page(client, article) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("total", [0, 10, 500])
def test_article_page_queries_constant_for_readers(
    client, rules, article, reader, django_assert_max_num_queries, total
):
    """Stops the N+1s of a thread: author per comment, replies per thread, like per comment."""
    authors = [UserFactory() for _ in range(5)]
    make_discussion(article, total, authors)
    for comment in Comment.objects.all()[:50]:
        CommentLike.objects.create(comment=comment, user=reader)
    client.force_login(reader)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(article.get_absolute_url())
    html = response.content.decode()
    assert html.count('class="comment') >= min(total, 20)


@pytest.mark.parametrize("total", [0, 10, 500])
def test_article_page_queries_constant_for_anonymous(
    client, rules, article, django_assert_max_num_queries, total
):
    """The same guard for the public page most readers see."""
    make_discussion(article, total, [UserFactory() for _ in range(5)])
    with django_assert_max_num_queries(MAX_QUERIES - 5):
        client.get(article.get_absolute_url())


def test_query_count_does_not_grow_from_10_to_500(client, rules, article, reader):
    """Exactly the same number of queries with 10 comments as with 500 (threads included)."""
    authors = [UserFactory() for _ in range(5)]
    other = ArticleFactory()
    make_discussion(article, 10, authors)
    make_discussion(other, 500, authors)
    client.force_login(reader)
    queries_for_page(client, article)  # warm the session and settings row
    ten = queries_for_page(client, article)
    five_hundred = queries_for_page(client, other)
    assert ten == five_hundred
    assert Comment.objects.filter(article=other).count() == 500
    assert Comment.objects.filter(article=other, depth=3).exists()
