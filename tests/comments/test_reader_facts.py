"""comments.thread.reader_facts: what a signed-in reader's page needs, in one query."""

import pytest
from django.db import connection

from comments.models import Comment
from comments.thread import reader_facts, reader_facts_query
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def comment(article, author, status: str) -> Comment:
    return Comment.objects.create(
        article=article, author=author, body=status, body_html=status, status=status
    )


@pytest.mark.parametrize("held", Comment.AUTHOR_VISIBLE_STATUSES)
def test_a_held_comment_on_this_article_is_found_among_many_published(article, reader, held):
    for _ in range(30):
        comment(article, reader, Comment.Status.PUBLISHED)
    comment(ArticleFactory(), reader, held)  # another article's does not count
    assert reader_facts(reader, article)["has_unpublished"] is False
    comment(article, reader, held)
    assert reader_facts(reader, article)["has_unpublished"] is True


def test_held_comments_are_one_index_probe_each_on_postgresql(article, reader):
    """Not a walk over every comment the reader wrote on the article (500 in the bench)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner; SQLite probes comment_author_idx with IN as well")
    for _ in range(30):
        comment(article, reader, Comment.Status.PUBLISHED)
    sql, params = reader_facts_query(article)[1](reader.pk)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (ANALYZE) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Rows Removed by Filter" not in plan, plan
    probes = [line for line in plan.splitlines() if "Index Cond" in line and "status" in line]
    assert len(probes) == len(Comment.AUTHOR_VISIBLE_STATUSES), plan
