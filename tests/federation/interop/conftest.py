"""The remote server of the interoperability tests: bovine, in its own process (peer.py)."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).parent
PEER_PYTHON = Path(__file__).parents[3] / ".venv-interop" / "bin" / "python"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RemoteServer:
    """The test's handle on the peer: its address, and its control API."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.host = f"127.0.0.1:{port}"

    def actor_id(self, name: str = "alice") -> str:
        return f"{self.base}/users/{name}"

    def _call(self, method: str, path: str, order: dict | None = None):
        response = requests.request(method, f"{self.base}{path}", json=order, timeout=30)
        response.raise_for_status()
        return response.json()

    def received(self) -> list[dict]:
        """Every activity the peer's inboxes took, with the actor bovine verified it as."""
        return self._call("GET", "/control/received")

    def send(self, inbox: str, activity: dict, *, actor: str = "alice", tamper: bool = False):
        """bovine signs the activity as `actor` and posts it: {"status", "body"}."""
        order = {"inbox": inbox, "activity": activity, "actor": actor, "tamper": tamper}
        return self._call("POST", "/control/send", order)

    def webfinger(self, resource: str, server: str) -> str | None:
        return self._call("POST", "/control/webfinger", {"resource": resource, "server": server})[
            "href"
        ]

    def fetch(self, url: str, *, actor: str = "alice") -> dict:
        """A signed GET for ActivityPub JSON: {"status", "content_type", "vary", "json"}."""
        return self._call("POST", "/control/fetch", {"url": url, "actor": actor})


@pytest.fixture(scope="session")
def remote_server(live_server):
    """The bovine peer. It keeps HTTP connections to the live server open, so it depends on
    live_server: it is stopped first, and the live server never closes a connection that a
    request thread is still serving (a thread error at the end of the session otherwise)."""
    if not PEER_PYTHON.exists():
        pytest.fail("the interop environment is missing: run `make install-test`")
    port = free_port()
    process = subprocess.Popen(
        [str(PEER_PYTHON), str(HERE / "peer.py"), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=sys.stderr,
    )
    server = RemoteServer(port)
    deadline = time.monotonic() + 20
    while True:
        try:
            server.received()
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the bovine peer did not start")
            time.sleep(0.1)
    yield server
    process.terminate()
    process.wait(timeout=10)
