"""A signed-in page reads its reader's session in the same cache read as its generation tokens
(newsite/sessions.py, pagecache.generations()); every other way of reading a session still works.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from newsite.sessions import SessionStore
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]


@pytest.fixture
def reads_from_storage(monkeypatch) -> list[str]:
    """The session keys read the usual way, one round trip each (cache, then database)."""
    reads: list[str] = []
    load = SessionStore.load

    def counted(self):
        reads.append(self.session_key)
        return load(self)

    monkeypatch.setattr(SessionStore, "load", counted)
    return reads


@pytest.fixture
def signed_in() -> Client:
    client = Client()
    client.force_login(UserFactory(display_name="Ada Reader"))
    return client


def test_the_article_page_reads_the_session_with_its_tokens(signed_in, reads_from_storage):
    article = ArticleFactory()
    response = signed_in.get(article.get_absolute_url())
    assert b"Ada Reader" in response.content
    assert reads_from_storage == []


def test_a_session_gone_from_the_cache_is_read_from_the_database(signed_in, reads_from_storage):
    article = ArticleFactory()
    session_key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    cache.delete(SessionStore(session_key).cache_key)
    response = signed_in.get(article.get_absolute_url())
    assert b"Ada Reader" in response.content
    assert reads_from_storage == [session_key]


def test_a_page_without_generation_tokens_reads_the_session_as_usual(signed_in, reads_from_storage):
    session_key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    response = signed_in.get("/accounts/profile/")
    assert b"Ada Reader" in response.content
    assert reads_from_storage == [session_key]


@pytest.mark.parametrize("cookie", ["not a key", "../" * 20, "x" * 300, "é" * 40])
def test_an_odd_session_cookie_is_an_anonymous_reader(client, cookie):
    article = ArticleFactory()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert b'href="/accounts/login/' in response.content


def test_only_a_named_unread_session_offers_its_key():
    assert SessionStore().unread_cache_key is None
    assert SessionStore("has space in it").unread_cache_key is None
    named = SessionStore("a" * 32)
    assert named.unread_cache_key == named.cache_key
    named.read_from({})  # not in the cache: read as usual when first needed
    assert named.unread_cache_key == named.cache_key
    named.read_from({named.cache_key: {"colour": "blue"}})
    assert named.unread_cache_key is None
    assert named["colour"] == "blue"
