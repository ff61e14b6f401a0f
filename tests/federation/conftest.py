"""A local fediverse server (http.server on 127.0.0.1 in a thread): it serves what a test puts
at a path, records every request, and checks each signed one with our own verifier against
the site actor's public key."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from benchmarks.loopback import QuietHandler, loopback_server
from federation.models import RemoteActor
from federation.signatures import SignatureError, verify_request


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    signature_error: str | None  # None: the signature verified

    def json(self) -> dict:
        import json

        return json.loads(self.body)


@dataclass
class Remote:
    """Answers each request with the next of `script` (status, headers, body) for its path,
    else `default`, after `delay` seconds."""

    base: str = ""
    public_key_pem: str = ""
    script: dict[str, list[tuple[int, dict, bytes]]] = field(default_factory=dict)
    default: tuple[int, dict, bytes] = (202, {}, b"")
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)

    @property
    def host(self) -> str:
        return self.base.split("//", 1)[1]

    def posts(self, path: str | None = None) -> list[Received]:
        return [r for r in self.requests if r.method == "POST" and path in (None, r.path)]

    def actor(self, name: str = "alice", *, shared: bool = True) -> RemoteActor:
        return RemoteActor.objects.create(
            actor_id=f"{self.base}/users/{name}",
            inbox=f"{self.base}/users/{name}/inbox",
            shared_inbox=f"{self.base}/inbox" if shared else "",
            preferred_username=name,
            handle=f"{name}@{self.host}",
            domain=self.host.split(":")[0],
            url=f"{self.base}/@{name}",
        )


def _handler(remote: Remote):
    class Handler(QuietHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length) if length else b""
            try:
                verify_request(
                    self.command, self.path, dict(self.headers), body, remote.public_key_pem
                )
                error = None
            except SignatureError as refused:
                error = refused.reason
            remote.requests.append(
                Received(self.command, self.path, dict(self.headers), body, error)
            )
            time.sleep(remote.delay)
            queue = remote.script.get(self.path)
            status, headers, content = queue.pop(0) if queue else remote.default
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _answer

    return Handler


def serve(remote: Remote) -> Iterator[Remote]:
    with loopback_server(_handler(remote)) as remote.base:
        yield remote


@pytest.fixture
def allow_local(settings):
    """Tests allow 127.0.0.1 explicitly, as an operator would for a server on this machine."""
    settings.FEDERATION_ALLOWED_HOSTS = ["127.0.0.1"]


@pytest.fixture
def site_actor(db):
    from federation.models import SiteActor

    return SiteActor.current()


@pytest.fixture
def remote(allow_local, site_actor) -> Iterator[Remote]:
    yield from serve(Remote(public_key_pem=site_actor.public_key_pem))


@pytest.fixture
def other_remote(allow_local, site_actor) -> Iterator[Remote]:
    yield from serve(Remote(public_key_pem=site_actor.public_key_pem))


# Remote actors that POST signed activities to our inbox (fed-in's tests).
from tests.federation.fediverse import alice, fediverse, story  # noqa: E402, F401
