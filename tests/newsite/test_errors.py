import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_404_uses_our_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert 'href="/"' in html


def test_crash_shows_our_500_page_without_a_traceback(settings):
    settings.ROOT_URLCONF = "tests.newsite.urls_with_crash"
    client = Client(raise_request_exception=False)
    response = client.get("/crash/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert "secret internals" not in html
    assert "Traceback" not in html
