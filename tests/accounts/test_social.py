"""Social login buttons appear only for providers an editor has configured, and rendering them
never calls out to the provider."""

import pytest
from allauth.socialaccount.models import SocialApp
from django.contrib.sites.models import Site
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = ["account_login", "account_signup"]


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any HTTP request made while rendering fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a page tried to reach the network")

    monkeypatch.setattr("requests.Session.send", refuse)
    monkeypatch.setattr("urllib3.connectionpool.HTTPConnectionPool.urlopen", refuse)


def add_app(provider: str, name: str) -> SocialApp:
    app = SocialApp.objects.create(provider=provider, name=name, client_id="id", secret="secret")
    app.sites.add(Site.objects.get_current())
    return app


@pytest.mark.parametrize("page", PAGES)
def test_no_provider_configured_shows_no_social_login(client, page):
    html = client.get(reverse(page)).content.decode()
    assert "Continue with" not in html
    assert "third-party" not in html


@pytest.mark.parametrize("page", PAGES)
def test_configured_providers_are_offered(client, page):
    add_app("google", "Google")
    add_app("twitter_oauth2", "X")
    html = client.get(reverse(page)).content.decode()
    assert "Continue with Google" in html
    assert "Continue with X" in html
    assert "Continue with Facebook" not in html
    assert 'href="/accounts/google/login/?process=login"' in html
    # Our pages load no provider SDK or script.
    assert "connect.facebook.net" not in html
    assert "<script" not in html


def test_provider_configured_in_settings_is_offered(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        **settings.SOCIALACCOUNT_PROVIDERS,
        "facebook": {
            **settings.SOCIALACCOUNT_PROVIDERS["facebook"],
            "APPS": [{"client_id": "id", "secret": "secret"}],
        },
    }
    html = client.get(reverse("account_login")).content.decode()
    assert "Continue with Facebook" in html


def test_provider_login_starts_with_a_confirmation_post(client):
    """GET never redirects to the provider (SOCIALACCOUNT_LOGIN_ON_GET off): no login CSRF."""
    add_app("google", "Google")
    response = client.get("/accounts/google/login/?process=login")
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()


def test_unconfigured_provider_login_is_not_found(client):
    response = client.get("/accounts/facebook/login/?process=login")
    assert response.status_code == 404


def test_social_sign_up_takes_a_clean_display_name_from_the_provider(rf):
    from allauth.socialaccount.models import SocialLogin

    from accounts.adapter import SocialAccountAdapter
    from accounts.models import User

    sociallogin = SocialLogin(user=User())
    user = SocialAccountAdapter().populate_user(
        rf.get("/"), sociallogin, {"name": "Ada\u202e " + "L" * 80, "email": "ada@example.com"}
    )
    assert user.display_name == "Ada " + "L" * 56
    assert len(user.display_name) == 60
