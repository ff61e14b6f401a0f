"""Fixtures for the security tests: the admin tests' staff accounts, the comments tests'
readers and relaxed rules."""

from tests.admin.conftest import (  # noqa: F401
    editor,
    editor_client,
    moderator,
    moderator_client,
    superuser,
)
from tests.comments.conftest import article, other_reader, reader, rules  # noqa: F401
