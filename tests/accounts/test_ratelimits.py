"""allauth's own rate limits on login, sign-up and reset, which a spoofed X-Forwarded-For
header cannot dodge while ALLAUTH_TRUSTED_PROXY_COUNT is 0."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

from .helpers import PASSWORD

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts"


def test_repeated_failed_logins_lock_the_address(client):
    user = UserFactory()
    for attempt in range(5):
        response = client.post(
            reverse("account_login"),
            {"login": user.email, "password": f"wrong {attempt}"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
        assert TOO_MANY not in response.content.decode()
    # Even the right password is refused while the address is locked.
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert "Too many failed login attempts. Try again in 5 minutes." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_readers_sharing_an_address_are_limited_per_account_first(client):
    """An office of readers behind one address: each mistyping a password twice locks no one."""
    readers = [UserFactory() for _ in range(8)]
    for reader in readers:
        for attempt in range(2):
            response = client.post(
                reverse("account_login"),
                {"login": reader.email, "password": f"typo {attempt}"},
            )
            assert TOO_MANY not in response.content.decode()
    response = client.post(
        reverse("account_login"), {"login": readers[-1].email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(readers[-1].pk)


def test_failed_logins_across_addresses_lock_the_client_ip(client):
    for attempt in range(30):
        client.post(
            reverse("account_login"),
            {"login": f"guess{attempt}@example.com", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    response = client.post(
        reverse("account_login"),
        {"login": "guess-last@example.com", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )
    assert TOO_MANY in response.content.decode()


def test_signup_is_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
    statuses = []
    for n in range(3):
        response = client.post(
            reverse("account_signup"),
            {
                "email": f"bot{n}@example.com",
                "display_name": "Bot",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
        statuses.append(response.status_code)
        client.logout()
    assert statuses == [302, 302, 429]
    assert "Too many attempts" in response.content.decode()
    assert "Try again in 1 minute." in response.content.decode()


def test_password_reset_is_rate_limited_per_address(client):
    user = UserFactory()
    statuses = [
        client.post(reverse("account_reset_password"), {"email": user.email}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429


def test_configured_limits_are_allauths():
    from allauth.account import app_settings

    limits = app_settings.RATE_LIMITS
    assert limits["login_failed"] == "5/5m/key,30/m/ip"
    assert limits["signup"] == "20/m/ip"
    assert limits["reset_password"] == "5/m/key,20/m/ip"


@pytest.mark.parametrize(
    ("rate", "seconds"),
    [("5/5m/key", 300), ("30/m/ip", 60), ("1/3m/key", 180), ("2/h", 3600), ("2/x", 0), ("", 0)],
)
def test_window_seconds(rate, seconds):
    from accounts.ratelimits import window_seconds

    assert window_seconds(rate) == seconds


def test_longest_wait_of_an_action(settings):
    from accounts.ratelimits import longest_wait

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key,30/m/ip", "signup": "20/m/ip"}
    assert longest_wait(("login_failed",)) == 300
    assert longest_wait(("signup",)) == 60
    assert longest_wait(("unknown",)) == 0
    assert longest_wait() == 300
