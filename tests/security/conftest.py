"""The staff accounts the admin tests use, for the security tests of admin screens."""

from tests.admin.conftest import (  # noqa: F401
    editor,
    editor_client,
    moderator,
    moderator_client,
    superuser,
)
