"""Django's PostgreSQL backend, with a health check that costs no round trip.

Django checks a kept connection before each request's first query with `SELECT 1`: one round
trip on every request, 6% of a signed-in page view (benchmarks/profile.py). A server that
closes a connection (a restart, `pg_terminate_backend`, `idle_session_timeout`) says so on the
socket first, and an idle connection otherwise has nothing to read, so looking at the socket
finds the same dead connections for a system call. A wrongly suspected connection is only
replaced by a new one.
"""

import select

from django.db.backends.postgresql import base


def has_pending_input(fileno: int) -> bool:
    """Something to read, an error or a hang-up on an idle connection's socket, now."""
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.pool  # the pool hands out checked connections
            or self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
        ):
            return
        if self.connection.closed or has_pending_input(self.connection.fileno()):
            self.close()
        self.health_check_done = True
