"""X-Newsite-Signature: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, with one v1 per
secret in use (two while a rotated secret's overlap lasts). Receivers check it as the README
shows ("Webhooks"), and refuse a timestamp too far from their clock, so a captured request
cannot be replayed later."""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "X-Newsite-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets: list[str], body: bytes, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return ",".join(
        [f"t={timestamp}", *(f"v1={signature(secret, timestamp, body)}" for secret in secrets)]
    )
