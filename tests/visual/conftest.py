"""Visual tests are browser tests too (marked, Debian's chromium: see tests/conftest.py)."""

import os

import pytest

# The sync Playwright API runs an event loop in the test thread; live_server's ORM use is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/visual/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
