import contextlib
import datetime as dt
import shutil
import signal
from collections.abc import Callable, Iterator
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

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


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path_factory):
    """Uploads (lead images, their renditions, social cards) go to a folder of the test's own,
    never the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


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


def run_commit_callbacks(using: str = DEFAULT_DB_ALIAS) -> None:
    """Run what a commit would: the on_commit callbacks a test's transaction holds back."""
    pending = connections[using].run_on_commit
    while pending:
        callbacks = pending[:]
        pending.clear()
        for _savepoints, callback, _robust in callbacks:
            callback()  # a failure here is a bug to see, though a commit would only log it


@pytest.fixture
def run_tasks() -> Callable[..., int]:
    """`run_tasks()`: what happens after the response, as production runs it: the request's
    commit queues its tasks (mail, notifications), then a worker runs every task that is due
    (`manage.py db_worker --batch`) and the tasks they queue. Returns how many ran.

    `run_tasks(later=timedelta(hours=1))` runs the worker as if that much time had passed, so
    retries queued with `run_after` come due.

    It does the commit's part itself, so do not also run the callbacks with
    django_capture_on_commit_callbacks(execute=True): they would run twice.
    """

    def run(*, later: dt.timedelta | None = None) -> int:
        clock, offset = timezone.now, later or dt.timedelta()
        handlers = {
            sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
        }
        finished = DBTaskResult.objects.finished().count()
        try:
            with (
                mock.patch("django.utils.timezone.now", side_effect=lambda: clock() + offset),
                # As Django's test client does around requests: closing "old" connections would
                # close the test's own, and with it its transaction (on PostgreSQL).
                mock.patch(f"{db_worker.__name__}.close_old_connections"),
            ):
                while (
                    connections[DEFAULT_DB_ALIAS].run_on_commit
                    or DBTaskResult.objects.ready().exists()
                ):
                    # A task's own on_commit work (queueing mail) waits for the test's
                    # transaction too: commit again after each pass.
                    run_commit_callbacks()
                    call_command(
                        "db_worker", batch=True, interval=0, startup_delay=False, reload=False
                    )
        finally:  # the worker takes over Ctrl-C; give it back to pytest
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
        return DBTaskResult.objects.finished().count() - finished

    return run


# Playwright drives Debian's chromium (`playwright install` cannot download browsers here), kept
# off the network: tests/browser/ and tests/scale/test_nginx.py.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is required for browser tests: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_FLAGS}
