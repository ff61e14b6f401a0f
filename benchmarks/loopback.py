"""Stand-in HTTP servers on loopback, each in a thread: the other side of a test or a bench
(webhook receivers, fediverse servers, a scoring service, an app server behind nginx)."""

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output clean (no line per request on stderr)."""

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def loopback_server(
    handler: type[BaseHTTPRequestHandler], address: str = "127.0.0.1"
) -> Iterator[str]:
    """Serve `handler` on a free port of `address` until the block ends; yields the base URL."""
    server = ThreadingHTTPServer((address, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://{address}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
