"""HTTP Signatures as Mastodon sends and checks them: draft-cavage-http-signatures-12 with
`rsa-sha256` (or `hs2019`, which Mastodon reads as the same thing for RSA keys), the signed
headers `(request-target) host date` plus `digest` (and usually `content-type`) on a POST, and a
`Digest: SHA-256=<base64>` of the body.

Written on `cryptography` directly: the libraries on PyPI either implement RFC 9421
(http-message-signatures, requests-http-signature), which Mastodon does not speak yet, or have
been unmaintained for years (httpsig, 2018). The part that matters, the signing string, is a few
lines; the cryptography is the well-kept library's.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# How far a request's Date may be from our clock (Mastodon allows 12 hours; we are stricter,
# since a replay window is as long as this).
MAX_SKEW = timedelta(hours=1)
ALGORITHMS = {"rsa-sha256", "hs2019"}
# A signature must cover at least these; a request with a body must cover `digest` too.
REQUIRED_HEADERS = ("(request-target)", "host", "date")


class SignatureError(Exception):
    """The request's signature is missing, malformed, stale or wrong; the message says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ParsedSignature:
    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes


def digest(body: bytes) -> str:
    """The Digest header's value for a body."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(moment: datetime | None = None) -> str:
    return format_datetime((moment or datetime.now(UTC)).astimezone(UTC), usegmt=True)


def signing_string(method: str, path: str, headers: Mapping[str, str], names: tuple[str, ...]):
    """The text that is signed: one `name: value` line per signed header, in their order.
    `headers` has lower-case names; `path` includes the query string."""
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        elif name in headers:
            lines.append(f"{name}: {headers[name].strip()}")
        else:
            raise SignatureError(f"The signed header {name!r} is not in the request.")
    return "\n".join(lines)


_PARAMETER = re.compile(r'\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*(?:,|$)')


def parse_signature_header(value: str) -> ParsedSignature:
    """Read `keyId="…",algorithm="…",headers="…",signature="…"`; raise SignatureError."""
    if value.lower().startswith("signature "):  # the Authorization: Signature … form
        value = value[len("signature ") :]
    parameters: dict[str, str] = {}
    position = 0
    value = value.strip()
    while position < len(value):
        match = _PARAMETER.match(value, position)
        if not match:
            raise SignatureError("The Signature header is malformed.")
        parameters[match.group(1)] = match.group(2)
        position = match.end()
    if not parameters.get("keyId"):
        raise SignatureError("The Signature header has no keyId.")
    if not parameters.get("signature"):
        raise SignatureError("The Signature header has no signature.")
    algorithm = parameters.get("algorithm", "hs2019").lower()
    if algorithm not in ALGORITHMS:
        raise SignatureError(f"The signature algorithm {algorithm!r} is not supported.")
    try:
        signature = base64.b64decode(parameters["signature"], validate=True)
    except ValueError:
        raise SignatureError("The signature is not valid base64.") from None
    names = tuple(parameters.get("headers", "date").lower().split())
    return ParsedSignature(parameters["keyId"], algorithm, names, signature)


@functools.lru_cache(maxsize=8)
def _private_key(pem: str) -> rsa.RSAPrivateKey:
    """Loaded once per process: loading checks the key, which costs more than signing."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not an RSA private key")
    return key


@functools.lru_cache(maxsize=1024)
def _public_key(pem: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        raise SignatureError("The signer's public key cannot be read.") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("The signer's key is not an RSA key.")
    return key


def sign_request(
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key_pem: str,
    *,
    content_type: str | None = None,
    accept: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers that sign this request: Date, Host, Digest (with a body), Signature, and
    Content-Type / Accept when given (both signed too)."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"host": parts.netloc, "date": http_date(now)}
    names = ["(request-target)", "host", "date"]
    if body is not None:
        headers["digest"] = digest(body)
        names.append("digest")
    if content_type:
        headers["content-type"] = content_type
        names.append("content-type")
    if accept:
        headers["accept"] = accept
        names.append("accept")
    text = signing_string(method, path, headers, tuple(names))
    signature = _private_key(private_key_pem).sign(
        text.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    headers["signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return {name.title(): value for name, value in headers.items()}


def verify_request(
    method: str,
    path: str,
    headers: Mapping[str, str],
    body: bytes | None,
    public_key_pem: str,
    *,
    now: datetime | None = None,
    max_skew: timedelta = MAX_SKEW,
    required: tuple[str, ...] = REQUIRED_HEADERS,
) -> ParsedSignature:
    """Check a received request's signature; return it parsed, or raise SignatureError.

    `path` includes the query string; `headers` may have names in any case. The Date must be
    within `max_skew` of now and, with a body, the Digest must match it and be signed.
    """
    lower = {name.lower(): value for name, value in headers.items()}
    header = lower.get("signature") or lower.get("authorization", "")
    if not header:
        raise SignatureError("The request is not signed.")
    parsed = parse_signature_header(header)
    missing = [name for name in required if name not in parsed.headers]
    if body and "digest" not in parsed.headers:
        missing.append("digest")
    if missing:
        raise SignatureError(f"The signature does not cover {', '.join(missing)}.")
    if "date" in parsed.headers:
        try:
            sent = parsedate_to_datetime(lower.get("date", ""))
        except (TypeError, ValueError):
            raise SignatureError("The Date header cannot be read.") from None
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
        if abs((now or datetime.now(UTC)) - sent) > max_skew:
            raise SignatureError("The Date header is too far from our clock.")
    if "digest" in parsed.headers:
        _check_digest(lower.get("digest", ""), body or b"")
    text = signing_string(method, path, lower, parsed.headers)
    try:
        _public_key(public_key_pem).verify(
            parsed.signature, text.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        raise SignatureError("The signature does not match the request.") from None
    return parsed


def _check_digest(header: str, body: bytes) -> None:
    """Check the SHA-256 entry of a Digest header (it may list several algorithms)."""
    for entry in header.split(","):
        algorithm, _, value = entry.strip().partition("=")
        if algorithm.lower() == "sha-256":
            if value != digest(body).partition("=")[2]:
                raise SignatureError("The Digest header does not match the body.")
            return
    raise SignatureError("The request has no SHA-256 Digest header.")
