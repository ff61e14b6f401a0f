import pytest

from tests.admin.conftest import editor, editor_client, moderator, staff_in  # noqa: F401


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads land in a temporary folder, not the worktree's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
