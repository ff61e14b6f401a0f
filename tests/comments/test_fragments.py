import pytest
from django.core.cache import caches
from django.test import Client

from comments.fragments import attach_headers
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_headers_render_once_and_follow_content_changes():
    """Content-addressed: a renamed author or a new pin is a new key, never a stale header."""
    caches["fragments"].clear()
    author = UserFactory(display_name="Ada")
    comment = CommentFactory(author=author, body="First!")
    attach_headers([comment])
    assert "Ada" in comment.header_html
    assert "Editor\u2019s pick" not in comment.header_html

    comment.is_pinned = True
    author.display_name = "Ada L."
    attach_headers([comment])
    assert "Ada L." in comment.header_html
    assert "Editor\u2019s pick" in comment.header_html
    assert len(caches["fragments"]._cache) == 2


def test_article_page_shows_cached_headers(client: Client):
    article = ArticleFactory()
    CommentFactory(article=article, author=UserFactory(display_name="<b>Bold</b>"))
    for _ in range(2):  # rendered, then from the fragment cache
        html = client.get(article.get_absolute_url()).content.decode()
        assert '<span class="comment__author">&lt;b&gt;Bold&lt;/b&gt;</span>' in html
