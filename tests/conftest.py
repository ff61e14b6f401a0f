import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import ArticleFactory, SourceFactory, TagFactory  # noqa: F401

# Live-server threads would keep persistent connections open past the test database's teardown.
settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _page_cache_only_where_tested(request, settings):
    """Invalidation runs on commit, which most tests never reach: cache only where tested."""
    settings.PAGE_CACHE = request.node.get_closest_marker("page_cache") is not None


DB_FIXTURES = {"db", "transactional_db", "live_server", "client", "admin_client"}


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """The shared cache outlives a test's transaction (Redis, live servers); start each empty."""
    uses_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue(
            "db" if "live_server" not in request.fixturenames else "live_server"
        )
        cache.clear()
    yield
    if uses_db:
        cache.clear()
