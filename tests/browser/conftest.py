"""Browser tests: marked, with the live server's ORM use allowed (tests/conftest.py launches
Debian's chromium)."""

import os

import pytest

from tests.factories import ArticleFactory, relaxed_moderation

# The sync Playwright API runs an event loop in the test thread; live_server's ORM use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def output_path(request, pytestconfig):
    """A path under the test output folder (pytest --output, default test-results/)."""
    folder = pytestconfig.rootpath / pytestconfig.getoption("--output") / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return lambda name: str(folder / f"{request.node.name}-{name}")


@pytest.fixture
def article(live_server):
    """An article readers can comment on at once (first comments are not held)."""
    relaxed_moderation()
    return ArticleFactory(title="Ports reopen after the storm")
