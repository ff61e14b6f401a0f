"""One POST to a checked Target, with the standard library's http.client.

http.client follows no redirects and reads no proxy settings. The connection goes to the
addresses the guard checked (never a new DNS answer), while the Host header, TLS server name and
certificate check use the URL's host name. One deadline bounds the whole exchange: a receiver
that answers slowly, or trickles its answer, is cut off at the timeout.
"""

from __future__ import annotations

import http.client
import io
import socket
import ssl
import time
from dataclasses import dataclass

from .guard import Target

# Of the answer we keep only the start, for the delivery log.
MAX_ANSWER = 1024


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    location: str
    text: str


class _DeadlineSocket:
    """The connected socket as http.client uses it (sendall, makefile, close), where every
    read and write must end before one deadline. Like a socket, it stays open until the
    response reading from it is closed too."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock, self._deadline = sock, deadline
        self._readers, self._closed = 0, False

    def _arm(self) -> None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the receiver took longer than the timeout")
        self._sock.settimeout(left)

    def sendall(self, data: bytes) -> None:
        self._arm()
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", **kwargs) -> io.BufferedReader:
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def release(self) -> None:
        self._readers -= 1
        if self._closed and self._readers <= 0:
            self._sock.close()

    def recv_into(self, buffer) -> int:
        self._arm()
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        self._closed = True
        if self._readers <= 0:
            self._sock.close()


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: _DeadlineSocket) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        return self._sock.recv_into(buffer)

    def close(self) -> None:
        if not self.closed:
            self._sock.release()
        super().close()


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to the checked addresses only."""

    def __init__(self, target: Target, deadline: float) -> None:
        super().__init__(target.host, target.port)
        self._target, self._deadline = target, deadline

    def _open(self) -> socket.socket:
        last_error: OSError = OSError("no address to connect to")
        for address in self._target.addresses:
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the receiver took longer than the timeout")
            try:
                return socket.create_connection((address, self._target.port), timeout=left)
            except OSError as error:
                last_error = error
        raise last_error

    def connect(self) -> None:
        self.sock = _DeadlineSocket(self._open(), self._deadline)


class _PinnedTLSConnection(_PinnedConnection):
    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        raw = self._open()
        raw.settimeout(max(self._deadline - time.monotonic(), 0.001))
        tls = ssl.create_default_context().wrap_socket(raw, server_hostname=self._target.host)
        self.sock = _DeadlineSocket(tls, self._deadline)


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: dict[str, str]  # names lower-cased; a repeated header keeps its last value
    body: bytes  # at most `max_body` bytes
    is_truncated: bool  # the body went on past `max_body`


def exchange(
    method: str,
    target: Target,
    body: bytes | None,
    headers: dict[str, str],
    *,
    timeout: float,
    max_body: int,
) -> Response:
    """One request, its answer read up to `max_body` bytes; raise OSError (TimeoutError,
    ssl.SSLError…) or http.client.HTTPException when no answer came. Redirects are the
    caller's to follow (after checking the new URL with the guard)."""
    deadline = time.monotonic() + timeout
    kind = _PinnedTLSConnection if target.scheme == "https" else _PinnedConnection
    connection = kind(target, deadline)
    try:
        connection.request(method, target.path, body=body, headers=headers)
        response = connection.getresponse()
        try:
            data = response.read(max_body + 1)
        finally:
            response.close()
        return Response(
            status=response.status,
            reason=response.reason,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=data[:max_body],
            is_truncated=len(data) > max_body,
        )
    finally:
        connection.close()


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST `body`; raise OSError (TimeoutError, ssl.SSLError…) or http.client.HTTPException
    when no answer came."""
    response = exchange("POST", target, body, headers, timeout=timeout, max_body=MAX_ANSWER)
    return Answer(
        status=response.status,
        reason=response.reason,
        location=response.headers.get("location", ""),
        text=response.body.decode("utf-8", "replace"),
    )
