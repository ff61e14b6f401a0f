"""A local receiver (http.server in a thread) that checks each request's signature with the
code the README gives receivers, and endpoints pointing at it."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings

from benchmarks.loopback import QuietHandler, loopback_server
from webhooks.models import SUBSCRIBABLE
from webhooks.services import endpoint_create

ALL_EVENTS = [value for value, _ in SUBSCRIBABLE]


def readme_verifier() -> Callable[..., bool]:
    """`verify_newsite_signature` exactly as README.md prints it for receivers."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    code = re.search(r"```python\n(.*?def verify_newsite_signature.*?)```", readme, re.S)
    assert code, "README.md shows receivers how to verify a signature"
    namespace: dict = {}
    exec(code.group(1), namespace)  # noqa: S102 - our own README
    return namespace["verify_newsite_signature"]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    def json(self) -> dict:
        import json

        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers 401 to a request whose signature does not verify with any of `secrets`, else
    the next status of `script` (200 once it is empty), after `delay` seconds."""

    url: str = ""
    secrets: list[str] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)
    verify: Callable[..., bool] = field(default_factory=readme_verifier)

    @property
    def events(self) -> list[str]:
        return [request.headers["X-Newsite-Event"] for request in self.requests]

    def payloads(self, event: str | None = None) -> list[dict]:
        return [r.json() for r in self.requests if event is None or r.json()["event"] == event]


def _handler(receiver: Receiver):
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            header = self.headers.get("X-Newsite-Signature", "")
            verified = any(receiver.verify(header, body, secret) for secret in receiver.secrets)
            receiver.requests.append(Received(self.path, dict(self.headers), body, verified))
            time.sleep(receiver.delay)
            status = (receiver.script.pop(0) if receiver.script else 200) if verified else 401
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    return Handler


def serve(receiver: Receiver) -> Iterator[Receiver]:
    with loopback_server(_handler(receiver)) as base:
        receiver.url = base + "/hooks/newsite"
        yield receiver


@pytest.fixture
def allow_local(settings):
    """Tests allow 127.0.0.1 explicitly, as an operator would for a receiver on this machine."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def receiver(allow_local) -> Iterator[Receiver]:
    yield from serve(Receiver())


@pytest.fixture
def second_receiver(allow_local) -> Iterator[Receiver]:
    yield from serve(Receiver())


def point_at(receiver: Receiver, *, events=None, name: str = "Newsroom bot"):
    endpoint = endpoint_create(name=name, url=receiver.url, events=events or ALL_EVENTS)
    receiver.secrets = [endpoint.secret]
    return endpoint


@pytest.fixture
def endpoint(db, receiver):
    return point_at(receiver)


def fake_dns(mapping: dict[str, list[str]]):
    """Patch socket.getaddrinfo: each host name resolves to the addresses given."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in mapping:
            return [
                (
                    socket.AF_INET6 if ":" in address else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (address, port),
                )
                for address in mapping[host]
            ]
        return real(host, port, *args, **kwargs)

    return mock.patch("socket.getaddrinfo", side_effect=getaddrinfo)
