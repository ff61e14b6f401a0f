"""A scoring service on 127.0.0.1 for the HTTP scorer's tests: it answers a score, sleeps
past the timeout, or fails, and keeps what it was sent."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from benchmarks.loopback import QuietHandler, loopback_server


@dataclass
class ScoringService:
    url: str
    score: float | None = 0.5
    status: int = 200
    delay: float = 0.0
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@contextlib.contextmanager
def scoring_service(**behaviour) -> Iterator[ScoringService]:
    """`with scoring_service(score=0.91) as service:` serves until the block ends."""
    service = ScoringService(url="", **behaviour)
    stop_sleeping = threading.Event()

    class Handler(QuietHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            service.received.append((dict(self.headers), body))
            if service.delay:
                stop_sleeping.wait(service.delay)
            answer = json.dumps({"score": service.score}).encode()
            try:
                self.send_response(service.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the client gave up waiting: that is the point of the slow service

    with loopback_server(Handler) as base:
        service.url = base + "/score"
        try:
            yield service
        finally:
            stop_sleeping.set()  # before the server waits for its threads


def elapsed(function, *args, **kwargs) -> tuple[object, float]:
    started = time.monotonic()
    result = function(*args, **kwargs)
    return result, time.monotonic() - started
