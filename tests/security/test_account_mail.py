"""Account e-mails: links built on the configured site, and no user-chosen text to
unverified addresses."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE_URL = "https://news.example.com"
FORGED_HOST = "127.0.0.1:6666"
PASSWORD = "correct horse battery"
URL = re.compile(r"\bhttps?://[^\s<>\"']+")
LURE = "Security team: act now at https://evil.example/reset"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE_URL
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def forged() -> Client:
    """A visitor whose requests name an allowed host with a port of their choosing."""
    return Client(HTTP_HOST=FORGED_HOST)


def signup(client: Client, email: str, display_name: str = "Someone") -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "display_name": display_name,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302


def links(message) -> list[str]:
    found = URL.findall(message.body)
    for _, content_type in getattr(message, "alternatives", []):
        found += URL.findall(content_type)
    return found


def test_mailed_links_use_the_site_url_not_the_request_host(run_tasks):
    """Finding 8: every link in account mail is built on SITE_URL, whatever Host says."""
    UserFactory(email="known@example.com")
    client = forged()
    signup(client, "new@example.com")  # verification link
    signup(client, "known@example.com")  # "you already have an account"
    for email in ("known@example.com", "nobody@example.com"):  # reset link, unknown account
        assert client.post(reverse("account_reset_password"), {"email": email}).status_code == 302

    run_tasks()
    assert [m.to for m in mail.outbox] == [
        ["new@example.com"],
        ["known@example.com"],
        ["known@example.com"],
        ["nobody@example.com"],
    ]
    kinds = ["/accounts/confirm-email/", "/accounts/password/reset/", "/accounts/signup/"]
    seen = set()
    for message in mail.outbox:
        assert "6666" not in message.body
        assert links(message), message.body
        for link in links(message):
            assert link.startswith(f"{SITE_URL}/"), link
            seen.update(kind for kind in kinds if link.startswith(SITE_URL + kind))
    assert seen == set(kinds)
    assert "/accounts/password/reset/key/" in mail.outbox[2].body

    # The links work: the mailed reset link opens the set-password page.
    reset_link = next(link for link in links(mail.outbox[2]) if "/reset/key/" in link)
    response = Client().get(reset_link.removeprefix(SITE_URL), follow=True)
    assert response.status_code == 200
    assert "password1" in response.content.decode()


def test_confirmation_link_for_an_added_address_uses_the_site_url(run_tasks):
    """Finding 8: adding an address mails its confirmation link on SITE_URL too."""
    user = UserFactory(email="reader@example.com")
    client = forged()
    client.force_login(user)
    response = client.post(
        reverse("account_email"), {"email": "second@example.com", "action_add": ""}
    )
    assert response.status_code == 302
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["second@example.com"]
    assert [link.startswith(f"{SITE_URL}/accounts/confirm-email/") for link in links(message)] == [
        True
    ]


def test_signup_mail_to_an_unverified_address_carries_no_display_name(run_tasks):
    """Finding 13: the name typed at sign-up is not mailed to the (unverified) address typed
    with it, so sign-up cannot send a stranger the attacker's words."""
    signup(Client(), "victim@example.com", display_name=LURE)
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["victim@example.com"]
    text = message.subject + message.body
    assert "evil.example" not in text
    assert "Security team" not in text
    assert "act now" not in text
    assert "/accounts/confirm-email/" in message.body  # still the confirmation mail
    assert not EmailAddress.objects.get(email="victim@example.com").verified


def test_added_address_confirmation_carries_no_display_name(run_tasks):
    """Finding 13: the same for an address added to an account: the account's name is not
    mailed to the new address before it is verified."""
    user = UserFactory(email="reader@example.com", display_name="Act now at evil.example")
    client = Client()
    client.force_login(user)
    client.post(reverse("account_email"), {"email": "stranger@example.com", "action_add": ""})
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["stranger@example.com"]
    assert "evil.example" not in message.subject + message.body
