"""Every federation request goes through the SSRF guard with its own allowed hosts, is signed
when it reads an actor, and is capped in size, time and redirects."""

from __future__ import annotations

import json

import pytest

from federation import fetch, vocab
from federation.signatures import parse_signature_header

from ..webhooks.conftest import fake_dns

pytestmark = pytest.mark.django_db

ACTOR = {"id": "x", "type": "Person"}


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/users/a", "a loopback address"),
        ("http://10.1.2.3/users/a", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[::1]/inbox", "a loopback address"),
        ("http://[fe80::1]/inbox", "a link-local address"),
    ],
)
def test_internal_addresses_are_refused_unless_allowed(settings, url, reason):
    settings.FEDERATION_ALLOWED_HOSTS = []
    with pytest.raises(fetch.FetchError, match=f"is {reason}: federation requests only go"):
        fetch.get_json(url)


def test_the_webhook_list_does_not_open_federation_and_vice_versa(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.FEDERATION_ALLOWED_HOSTS = []
    with pytest.raises(fetch.FetchError, match="DJANGO_FEDERATION_ALLOWED_HOSTS"):
        fetch.check("http://127.0.0.1:9/")
    settings.FEDERATION_ALLOWED_HOSTS = ["127.0.0.1"]
    assert fetch.check("http://127.0.0.1:9/").addresses == ("127.0.0.1",)


def test_a_public_name_resolving_inside_is_refused(settings):
    settings.FEDERATION_ALLOWED_HOSTS = []
    with (
        fake_dns({"social.example": ["10.0.0.7"]}),
        pytest.raises(fetch.FetchError, match=r"social\.example resolves to 10\.0\.0\.7"),
    ):
        fetch.get_json("https://social.example/users/alice")


def test_a_signed_get_of_an_actor(remote):
    remote.script["/users/alice"] = [(200, {"Content-Type": vocab.ACTIVITY_JSON}, b'{"id": 1}')]
    assert fetch.get_json(f"{remote.base}/users/alice") == {"id": 1}
    (request,) = remote.requests
    assert request.signature_error is None  # verified with the site actor's key
    assert parse_signature_header(request.headers["Signature"]).key_id == vocab.key_id()
    assert vocab.ACTIVITY_JSON in request.headers["Accept"]
    assert "accept" in parse_signature_header(request.headers["Signature"]).headers


def test_an_unsigned_get(remote):
    remote.script["/.well-known/nodeinfo"] = [(200, {}, b'{"links": []}')]
    assert fetch.get_json(f"{remote.base}/.well-known/nodeinfo", signed=False) == {"links": []}
    assert "Signature" not in remote.requests[0].headers


def test_an_oversized_answer_is_refused(remote, settings):
    settings.FEDERATION_MAX_RESPONSE_BYTES = 1000
    remote.script["/big"] = [(200, {}, json.dumps({"x": "y" * 2000}).encode())]
    with pytest.raises(fetch.FetchError, match="larger than 1000 bytes"):
        fetch.get_json(f"{remote.base}/big")


def test_redirects_are_followed_a_few_times(remote):
    remote.script["/old"] = [(301, {"Location": "/new"}, b"")]
    remote.script["/new"] = [(302, {"Location": f"{remote.base}/newest"}, b"")]
    remote.script["/newest"] = [(200, {}, b'{"ok": true}')]
    assert fetch.get_json(f"{remote.base}/old") == {"ok": True}
    assert [r.path for r in remote.requests] == ["/old", "/new", "/newest"]
    assert all(r.signature_error is None for r in remote.requests)  # each hop signed for itself


def test_too_many_redirects_are_refused(remote):
    remote.default = (302, {"Location": "/again"}, b"")
    with pytest.raises(fetch.FetchError, match="more than 3 redirects"):
        fetch.get_json(f"{remote.base}/start")
    assert len(remote.requests) == fetch.MAX_REDIRECTS + 1


def test_a_redirect_into_our_network_is_refused(remote, settings):
    remote.script["/hop"] = [(302, {"Location": "http://169.254.169.254/latest/"}, b"")]
    with pytest.raises(fetch.FetchError, match="a cloud metadata address"):
        fetch.get_json(f"{remote.base}/hop")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ((404, {}, b"no"), "HTTP 404"),
        ((200, {}, b"<html>"), "not JSON"),
        ((200, {}, b"[1, 2]"), "not a JSON object"),
        ((302, {}, b""), "a redirect without a Location"),
    ],
)
def test_useless_answers_are_clear_errors(remote, answer, message):
    remote.default = answer
    with pytest.raises(fetch.FetchError, match=message):
        fetch.get_json(f"{remote.base}/users/alice")


def test_a_slow_server_is_cut_off(remote, settings):
    settings.FEDERATION_TIMEOUT = 0.3
    remote.delay = 2
    with pytest.raises(fetch.FetchError, match="TimeoutError"):
        fetch.get_json(f"{remote.base}/users/alice")
