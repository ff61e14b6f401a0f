import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Social cards are written to MEDIA_ROOT: keep each test's cards to itself."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = "https://news.example"
    settings.SITE_NAME = "newsite"
