"""Remote replies sit in the one thread: the same sorts and permalinks, a provenance mark and
a link to the original, the same number of queries however many there are, and they appear
in the structured data and the comment feed with their source."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import clear_caches, is_cache_statement
from tests.factories import ArticleFactory, CommentFactory
from tests.federation.fediverse import remote_comment

pytestmark = pytest.mark.django_db


def page_sql(client, url) -> int:
    clear_caches()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len([q for q in captured.captured_queries if not is_cache_statement(q["sql"])])


def test_remote_and_native_comments_share_the_thread(client):
    article = ArticleFactory()
    native = CommentFactory(article=article, body="Typed here")
    remote = remote_comment(article, 1, parent=native)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Typed here" in html
    assert "From afar 1" in html
    assert "via social.example" in html
    assert '<span class="comment__software">(mastodon)</span>' in html
    assert '<a href="https://social.example/@alice/1" rel="nofollow ugc noopener">original' in html
    assert "Alice (@alice@social.example)" in html
    assert "<img" not in html.split('id="comments"')[1]  # no remote avatar, hotlinked or not
    # Its permalink leads to it in the same thread.
    response = client.get(remote.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].endswith(f"#{remote.anchor}")


def test_the_page_costs_the_same_queries_however_many_remote_comments(client):
    """The N+1 this stops: one query per comment for its provenance (select_related)."""
    article = ArticleFactory()
    remote_comment(article, 0)
    one = page_sql(client, article.get_absolute_url())
    for number in range(1, 20):
        remote_comment(article, number)
    assert page_sql(client, article.get_absolute_url()) == one


def test_structured_data_and_feed_name_the_source(client):
    article = ArticleFactory()
    remote_comment(article, 7)
    article.comment_count = 1
    article.save()
    html = client.get(article.get_absolute_url()).content.decode()
    data = json.loads(html.split('<script type="application/ld+json">')[1].split("</script>")[0])
    assert data["comment"][0]["sameAs"] == "https://social.example/@alice/7"
    feed = client.get(reverse("discovery:comment-feed-rss", kwargs={"slug": article.slug}))
    assert "https://social.example/@alice/7" in feed.content.decode()


def test_the_articles_replies_collection_keeps_a_remote_notes_own_id():
    from federation.documents import replies_collection

    article = ArticleFactory()
    remote_comment(article, 3)
    items = replies_collection(article)["first"]["orderedItems"]
    assert [item["id"] for item in items] == ["https://social.example/users/alice/statuses/3"]
