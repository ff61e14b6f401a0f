"""The PostgreSQL backend's health check: no round trip, yet a dead connection is replaced."""

import select
from collections.abc import Iterator

import pytest
from django.db import connection, connections

from newsite.postgresql.base import DatabaseWrapper, has_pending_input

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]


@pytest.fixture
def kept() -> Iterator[DatabaseWrapper]:
    """A connection of its own, kept between requests as CONN_MAX_AGE keeps it."""
    kept = connections.create_connection("default")
    kept.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    kept.ensure_connection()
    yield kept
    kept.close()


def backend_pid(wrapper: DatabaseWrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def next_request(wrapper: DatabaseWrapper) -> None:
    """What Django does between two requests (the request_started signal)."""
    wrapper.close_if_unusable_or_obsolete()


def test_the_site_uses_this_backend():
    assert isinstance(connections["default"], DatabaseWrapper)


def test_a_healthy_connection_is_kept_without_a_query(kept, monkeypatch):
    pid = backend_pid(kept)
    next_request(kept)

    def no_select_1():
        raise AssertionError("the health check sent a query")

    monkeypatch.setattr(kept, "is_usable", no_select_1)
    assert backend_pid(kept) == pid
    assert kept.health_check_done


def test_a_connection_the_server_ended_is_replaced_before_the_next_query(kept):
    pid = backend_pid(kept)
    next_request(kept)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    # The server's farewell reaches the socket a moment after pg_terminate_backend returns.
    poller = select.poll()
    poller.register(kept.connection.fileno(), select.POLLIN)
    assert poller.poll(5000), "the server did not close the connection"

    assert backend_pid(kept) != pid  # a new connection, and no error for the reader


def test_has_pending_input_reads_nothing(kept):
    raw = kept.connection
    assert not has_pending_input(raw.fileno())
    with kept.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert not has_pending_input(raw.fileno())  # every result was read
