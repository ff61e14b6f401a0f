import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections

from tests.factories import ArticleFactory, SourceFactory, TagFactory  # noqa: F401

# Live-server threads would keep persistent connections open past the test database's teardown.
settings.DATABASES["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """End stray sessions on the PostgreSQL test database before it is dropped.

    After a Playwright test, Django code in the main thread can see a running event loop, and
    asgiref then keeps its connection per context instead of per thread: a later test opens a
    second connection and the first is never closed ("database is being accessed by other
    users" at teardown, after every test passed).
    """
    yield
    with django_db_blocker.unblock():
        connections.close_all()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connections.close_all()


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
    settings.PAGE_CACHE = settings.FRAGMENT_CACHE = (
        request.node.get_closest_marker("page_cache") is not None
    )


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
