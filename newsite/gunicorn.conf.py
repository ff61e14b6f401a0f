"""gunicorn settings; every value can be overridden from the environment or the command line."""

import logging
import multiprocessing
import os
import socket
import sys

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# gthread workers do not need a buffering proxy in front to survive slow clients.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
# Two threads: one request waiting on the database does not hold up the worker, and the GIL
# is shared by few. Signed-in pages ran 0.22 of S with four threads, 0.25 with two or one.
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# Each worker listens on its own socket and the kernel spreads connections over them. On one
# shared socket a burst of new connections could all land on one worker, which then served
# every request on one core while the others idled: half the throughput in half of the runs
# (BENCHMARKS.md). A second gunicorn on a port already served would share it instead of
# failing to bind: on_starting() refuses to start it. With reuse_port the master binds nothing,
# so gunicorn's own "Listening at:" line names no address: when_ready() logs it instead.
reuse_port = True
wsgi_app = "newsite.wsgi:application"
accesslog = "-"
errorlog = "-"
timeout = 30
# Keep idle client connections a little longer than gunicorn's 2 s default.
keepalive = 5
graceful_timeout = 20
# Load the app before forking so workers share its memory and start fast.
preload_app = True


def addresses(server) -> str:
    scheme = "https" if server.cfg.is_ssl else "http"
    names = []
    for address in server.cfg.address:
        if isinstance(address, tuple):
            host, port = address[:2]
            names.append(
                f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"
            )
        else:
            names.append(f"unix:{address}")
    return ",".join(names)


class NoBlankListeningLine(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == "Listening at: %s (%s)" and record.args[:1] == ("",))


def when_ready(server) -> None:
    server.log.info("Listening at: %s (%s)", addresses(server), server.pid)


def on_starting(server) -> None:
    """Refuse to serve a port something already serves, as a failed bind would have."""
    server.log.error_log.addFilter(NoBlankListeningLine())
    if server.master_pid:  # a USR2 upgrade: the old master serves until this one is up
        return
    for address in server.cfg.address:
        if not isinstance(address, tuple):  # a Unix socket
            continue
        host, port = address[:2]
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family) as probe:
            probe.settimeout(1)
            if probe.connect_ex((host, port)) == 0:
                server.log.error("%s:%s is already served: stop that server first", host, port)
                sys.exit(1)
