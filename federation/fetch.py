"""Every request federation makes to another server: through the SSRF guard (webhooks/guard.py)
with DJANGO_FEDERATION_ALLOWED_HOSTS, on the pinned client (webhooks/client.py), with one
timeout for the whole exchange, a cap on the answer's size, and at most a few redirects, each
new URL checked again. GETs of actor documents are signed: servers in "authorized fetch" mode
(Mastodon's secure mode) answer nothing else.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import urljoin

from django.conf import settings

from webhooks import client, guard

from . import signatures, vocab

MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
ACCEPT = f"{vocab.ACTIVITY_JSON}, {vocab.LD_JSON}"
USER_AGENT = "newsite (ActivityPub)"


class FetchError(Exception):
    """The request could not be made or answered usefully; the message says why."""


def policy() -> guard.Policy:
    return guard.Policy(
        "federation requests",
        "DJANGO_FEDERATION_ALLOWED_HOSTS",
        tuple(settings.FEDERATION_ALLOWED_HOSTS),
    )


def check(url: str) -> guard.Target:
    """Where to connect for `url`, or FetchError if the guard refuses it."""
    try:
        return guard.check(url, policy())
    except guard.Refused as refused:
        raise FetchError(str(refused)) from None


def _exchange(method: str, url: str, body: bytes | None, headers: dict[str, str]):
    target = check(url)
    try:
        response = client.exchange(
            method,
            target,
            body,
            {"User-Agent": USER_AGENT, **headers},
            timeout=settings.FEDERATION_TIMEOUT,
            max_body=settings.FEDERATION_MAX_RESPONSE_BYTES,
        )
    except (OSError, http.client.HTTPException) as failure:
        raise FetchError(f"{url}: {failure.__class__.__name__}: {failure}") from None
    if response.is_truncated:
        raise FetchError(
            f"{url}: the answer is larger than {settings.FEDERATION_MAX_RESPONSE_BYTES} bytes."
        )
    return response


def _signed_headers(method: str, url: str, body: bytes | None, **extra: str) -> dict[str, str]:
    from .models import SiteActor

    actor = SiteActor.current()
    return signatures.sign_request(
        method, url, body, vocab.key_id(), actor.private_key_pem, **extra
    )


def get(url: str, *, accept: str = ACCEPT, signed: bool = True) -> client.Response:
    """GET `url`, following at most MAX_REDIRECTS redirects (each checked by the guard)."""
    for _ in range(MAX_REDIRECTS + 1):
        headers = _signed_headers("GET", url, None, accept=accept) if signed else {"Accept": accept}
        response = _exchange("GET", url, None, headers)
        if response.status not in REDIRECTS:
            return response
        location = response.headers.get("location")
        if not location:
            raise FetchError(f"{url}: a redirect without a Location.")
        url = urljoin(url, location)
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects.")


def get_json(url: str, *, accept: str = ACCEPT, signed: bool = True) -> dict[str, Any]:
    """GET a JSON document (an actor, a Note, WebFinger, NodeInfo); FetchError unless 200 and
    a JSON object."""
    response = get(url, accept=accept, signed=signed)
    if response.status != 200:
        raise FetchError(f"{url}: HTTP {response.status} {response.reason}".strip())
    try:
        document = json.loads(response.body)
    except ValueError:
        raise FetchError(f"{url}: the answer is not JSON.") from None
    if not isinstance(document, dict):
        raise FetchError(f"{url}: the answer is not a JSON object.")
    return document


def post_activity(inbox: str, activity: dict[str, Any]) -> client.Response:
    """POST a signed activity to an inbox (no redirects: an inbox that moves is an error).
    The answer is returned whatever its status; FetchError when there is none."""
    body = json.dumps(activity).encode()
    headers = _signed_headers("POST", inbox, body, content_type=vocab.ACTIVITY_JSON)
    return _exchange("POST", inbox, body, headers)
