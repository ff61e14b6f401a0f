import contextlib
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tests.factories import ArticleFactory, SourceFactory, TagFactory  # noqa: F401

# Tests run with production's settings, caches and middleware, with two exceptions:
# a fast password hasher (hashing dominated the suite's time),
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# and no persistent connections: live-server threads would keep them open past the test
# database's teardown.
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


DB_FIXTURES = {"db", "transactional_db", "live_server", "client", "admin_client"}


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    """The shared cache outlives a test's transaction (Redis, live servers), and fragments
    are kept in memory under versions read from it: start each test with both empty."""
    uses_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue(
            "db" if "live_server" not in request.fixturenames else "live_server"
        )
        clear_caches()
    yield
    if uses_db:
        clear_caches()


def clear_caches() -> None:
    for alias in settings.CACHES:
        caches[alias].clear()


def is_cache_statement(sql: str) -> bool:
    """The database cache's own statements (the shared cache is a table on SQLite; Redis in
    production makes none): they and their savepoints are not the page's queries."""
    return "django_cache" in sql or "SAVEPOINT" in sql


@pytest.fixture
def page_queries():
    """`with page_queries() as sql:` collects the statements the code makes, but the cache's."""

    @contextlib.contextmanager
    def capture() -> Iterator[list[str]]:
        found: list[str] = []
        with CaptureQueriesContext(connection) as captured:
            yield found
        found.extend(
            q["sql"] for q in captured.captured_queries if not is_cache_statement(q["sql"])
        )

    return capture
