"""Every allauth page renders inside our base layout, with labelled fields, one h1 and nothing
inline that the coming Content Security Policy would block."""

from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

from .helpers import PASSWORD, last_link

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
SIGNED_IN_PAGES = [
    "account_email",
    "account_change_password",
    "account_logout",
    "socialaccount_connections",
    "accounts:profile",
    "accounts:delete",
]


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.headings: list[int] = []
        self.labels: set[str] = set()
        self.controls: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"h1", "h2", "h3", "h4"}:
            self.headings.append(int(tag[1]))
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {
            "hidden",
            "submit",
        }:
            self.controls.append(attrs.get("id", "<no id>"))
        if "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline.append(tag)
        if tag == "script" and "src" not in attrs:
            self.inline.append("script")
        if tag == "style":
            self.inline.append("style")


def audit(html: str) -> PageAudit:
    parser = PageAudit()
    parser.feed(html)
    assert 'class="site-header"' in html
    assert '<main id="main"' in html
    assert parser.headings.count(1) == 1, parser.headings
    assert parser.headings[0] == 1
    # Headings never skip a level on the way down.
    for previous, current in zip(parser.headings, parser.headings[1:], strict=False):
        assert current <= previous + 1, parser.headings
    unlabelled = [control for control in parser.controls if control not in parser.labels]
    assert not unlabelled
    assert not parser.inline
    return parser


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_anonymous_account_pages_use_our_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    audit(response.content.decode())
    assert "<title>" in response.content.decode()


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_account_pages_use_our_layout(client, name):
    client.force_login(UserFactory())
    response = client.get(reverse(name))
    assert response.status_code == 200
    audit(response.content.decode())


def test_form_errors_are_shown_in_our_layout(client):
    response = client.post(reverse("account_login"), {"login": "x@example.com", "password": "x"})
    html = response.content.decode()
    audit(html)
    assert "errorlist" in html


def test_password_reset_and_change_work(client, run_tasks):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    run_tasks()
    key_url = last_link("/accounts/password/reset/key/")
    response = client.get(key_url, follow=True)
    audit(response.content.decode())
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else key_url
    response = client.post(
        form_url, {"password1": "a fresh passphrase 7", "password2": "a fresh passphrase 7"}
    )
    assert response["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password("a fresh passphrase 7")
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "a fresh passphrase 7",
            "password1": "another passphrase 8",
            "password2": "another passphrase 8",
        },
    )
    assert response["Location"] == reverse("account_change_password")
    user.refresh_from_db()
    assert user.check_password("another passphrase 8")
    # The owner hears about it, in case it was not them.
    run_tasks()
    assert mail.outbox[-1].to == [user.email]
    assert "password" in mail.outbox[-1].subject.lower()


def test_email_change_takes_effect_after_verification(client, run_tasks):
    user = UserFactory()
    client.force_login(user)
    mail.outbox.clear()
    response = client.post(reverse("account_email"), {"action_add": "", "email": "new@example.com"})
    assert response.status_code == 302
    run_tasks()
    client.post(last_link("/accounts/confirm-email/"))
    user.refresh_from_db()
    assert user.email == "new@example.com"
    response = client.post(
        reverse("account_login"), {"login": "new@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
