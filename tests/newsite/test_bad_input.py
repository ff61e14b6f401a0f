"""Malformed requests get a 4xx with a helpful page, never a 500."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/?page=%00", "/tags/x/?page=1%00", "/accounts/login/?next=%00"])
def test_nul_bytes_in_the_address_are_a_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert b"<h1>Bad request</h1>" in response.content


def test_oversized_form_post_is_a_400(client):
    response = client.post("/accounts/login/", {"login": "x" * 3_000_000, "password": "y"})
    assert response.status_code == 400
    assert b"Bad request" in response.content


def test_malformed_multipart_is_a_400(client):
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"--broken\r\nContent-Disposition: form-data\r\n\r\n",
        content_type="multipart/form-data; boundary=",
    )
    assert response.status_code == 400


def test_invalid_utf8_and_nul_in_form_fields_are_form_errors(client):
    response = client.generic(
        "POST",
        "/accounts/login/",
        b"login=%FF%FE%00&password=%00",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in {200, 400, 403}
    assert response.status_code != 500


def test_garbage_page_numbers_are_404_not_500(client):
    for page in ("abc", "-1", "99999999999999999999", "last"):
        assert client.get(f"/?page={page}").status_code in {200, 404}


def test_csrf_failure_shows_our_page():
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post("/accounts/login/", {"login": "a@example.com", "password": "x"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
