"""Faults degrade the site without tracebacks: Redis down, the database down."""

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.test import Client

from articles.models import Article
from comments import ratelimit
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

DEAD_REDIS_DEFAULT = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.2,
            "SOCKET_TIMEOUT": 0.2,
        },
    }
}


def test_redis_down_pages_still_render_and_healthz_says_so(settings, caplog):
    settings.CACHES = {**settings.CACHES, **DEAD_REDIS_DEFAULT}
    article = ArticleFactory(title="Still readable")
    client = Client(raise_request_exception=False)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert b"Still readable" in response.content
    assert client.get("/").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["cache"] == "unavailable"
    assert "Exception ignored" in caplog.text
    assert ratelimit.hit("x", limit=1, window=60)  # counters fail open
    assert ratelimit.hit("x", limit=1, window=60)


def test_only_redis_errors_are_swallowed(settings, monkeypatch):
    """A bug of ours in a cache call still raises; only Redis's own failures degrade."""
    settings.CACHES = {**settings.CACHES, **DEAD_REDIS_DEFAULT}
    cache = caches["default"]

    def broken(*args, **kwargs):
        raise TypeError("a bug, not an outage")

    monkeypatch.setattr(cache.client, "get", broken)
    with pytest.raises(TypeError, match="a bug"):
        cache.get("key")


def test_database_down_gets_a_friendly_503(monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(Article.objects, "published", down)
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Back in a moment" in response.content
    assert b"could not connect" not in response.content
