"""HTTP Signatures (draft-cavage, as Mastodon sends them): our signer against the draft's own
test vector, and the verifier's refusals."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from federation.models import new_key_pair
from federation.signatures import (
    SignatureError,
    digest,
    parse_signature_header,
    sign_request,
    signing_string,
    verify_request,
)

# draft-cavage-http-signatures-12, Appendix C: its test key pair and request.
SPEC_PUBLIC_KEY = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
"""
SPEC_PRIVATE_KEY = """-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
"""
SPEC_DATE = "Sun, 05 Jan 2014 21:31:40 GMT"
SPEC_BODY = b'{"hello": "world"}'
SPEC_HEADERS = {
    "Host": "example.com",
    "Date": SPEC_DATE,
    "Content-Type": "application/json",
    "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "Content-Length": "18",
}
# C.2 "Basic Test": (request-target) host date.
SPEC_BASIC_SIGNATURE = (
    "qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3"
    "HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="
)
SPEC_TIME = datetime(2014, 1, 5, 21, 31, 40, tzinfo=UTC)


@pytest.fixture(scope="module")
def keys():
    return new_key_pair()


def test_the_digest_matches_the_drafts_example():
    assert digest(SPEC_BODY) == SPEC_HEADERS["Digest"]


def test_the_drafts_basic_test_vector_verifies():
    headers = {
        **SPEC_HEADERS,
        "Signature": 'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",'
        f'signature="{SPEC_BASIC_SIGNATURE}"',
    }
    parsed = verify_request(
        "POST",
        "/foo?param=value&pet=dog",
        headers,
        None,  # the basic test signs no digest: check it without a body
        SPEC_PUBLIC_KEY,
        now=SPEC_TIME,
    )
    assert parsed.key_id == "Test"
    assert parsed.headers == ("(request-target)", "host", "date")


def test_our_signer_reproduces_the_drafts_basic_test_signature():
    headers = sign_request(
        "POST",
        "https://example.com/foo?param=value&pet=dog",
        None,
        "Test",
        SPEC_PRIVATE_KEY,
        now=SPEC_TIME,
    )
    assert headers["Date"] == SPEC_DATE
    assert headers["Host"] == "example.com"
    assert f'signature="{SPEC_BASIC_SIGNATURE}"' in headers["Signature"]


def test_a_signed_post_covers_what_mastodon_requires_and_verifies(keys):
    private_pem, public_pem = keys
    body = b'{"type": "Create"}'
    headers = sign_request(
        "POST",
        "https://social.example/inbox",
        body,
        "https://news.example/federation/actor#main-key",
        private_pem,
        content_type="application/activity+json",
    )
    assert set(headers) == {"Host", "Date", "Digest", "Content-Type", "Signature"}
    parsed = parse_signature_header(headers["Signature"])
    assert parsed.headers == ("(request-target)", "host", "date", "digest", "content-type")
    assert parsed.algorithm == "rsa-sha256"
    assert verify_request("POST", "/inbox", headers, body, public_pem).key_id.endswith("#main-key")


def test_a_signed_get_verifies_and_signs_accept(keys):
    private_pem, public_pem = keys
    headers = sign_request(
        "GET", "http://127.0.0.1:8001/users/a", None, "k", private_pem, accept="application/json"
    )
    assert headers["Host"] == "127.0.0.1:8001"
    assert "Digest" not in headers
    verify_request("GET", "/users/a", headers, None, public_pem)


def _signed(keys, body=b"{}"):
    return sign_request(
        "POST", "https://news.example/federation/inbox", body, "k", keys[0], content_type="a/b"
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda h, b: (h, b"{}tampered"), "Digest header does not match"),
        (lambda h, b: ({**h, "Digest": digest(b"x")}, b"x"), "signature does not match"),
        (lambda h, b: ({**h, "Host": "other.example"}, b), "signature does not match"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "Signature"}, b), "not signed"),
        (lambda h, b: ({**h, "Signature": "garbage"}, b), "malformed"),
        (lambda h, b: ({k: v for k, v in h.items() if k != "Date"}, b), "Date header cannot"),
        (lambda h, b: ({**h, "Digest": "MD5=abc"}, b), "no SHA-256 Digest"),
    ],
)
def test_tampered_requests_are_refused_with_a_reason(keys, change, reason):
    headers, body = change(_signed(keys), b"{}")
    with pytest.raises(SignatureError, match=reason):
        verify_request("POST", "/federation/inbox", headers, body, keys[1])


def test_another_path_is_refused(keys):
    with pytest.raises(SignatureError, match="does not match"):
        verify_request("POST", "/federation/actor/inbox", _signed(keys), b"{}", keys[1])


def test_another_key_is_refused(keys):
    other_public = new_key_pair()[1]
    with pytest.raises(SignatureError, match="does not match"):
        verify_request("POST", "/federation/inbox", _signed(keys), b"{}", other_public)


def test_a_date_outside_the_allowed_skew_is_refused(keys):
    headers = _signed(keys)
    later = datetime.now(UTC) + timedelta(hours=2)
    with pytest.raises(SignatureError, match="too far"):
        verify_request("POST", "/federation/inbox", headers, b"{}", keys[1], now=later)


def test_a_body_without_a_signed_digest_is_refused(keys):
    headers = sign_request("POST", "https://n.example/federation/inbox", None, "k", keys[0])
    with pytest.raises(SignatureError, match="does not cover digest"):
        verify_request("POST", "/federation/inbox", headers, b"{}", keys[1])


def test_a_signature_without_host_is_refused(keys):
    sig = base64.b64encode(b"x").decode()
    headers = {
        "Date": "x",
        "Signature": f'keyId="k",headers="(request-target) date",signature="{sig}"',
    }
    with pytest.raises(SignatureError, match="does not cover host"):
        verify_request("GET", "/", headers, None, keys[1])


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ('algorithm="rsa-sha256",signature="AAAA"', "no keyId"),
        ('keyId="k",algorithm="rsa-sha256"', "no signature"),
        ('keyId="k",algorithm="hmac-sha256",signature="AAAA"', "not supported"),
        ('keyId="k",signature="!!!"', "not valid base64"),
    ],
)
def test_malformed_signature_headers_are_refused(value, reason):
    with pytest.raises(SignatureError, match=reason):
        parse_signature_header(value)


def test_hs2019_and_the_authorization_form_are_read():
    parsed = parse_signature_header('Signature keyId="k", algorithm="hs2019", signature="AAAA"')
    assert (parsed.key_id, parsed.algorithm, parsed.headers) == ("k", "hs2019", ("date",))


def test_signing_string_names_a_missing_header():
    with pytest.raises(SignatureError, match="'digest' is not in the request"):
        signing_string("POST", "/", {"host": "a"}, ("host", "digest"))
