"""Sign-up, login and password reset answer the same for known and unknown addresses, so the
site cannot be used to find out who has an account (ACCOUNT_PREVENT_ENUMERATION)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

from .helpers import PASSWORD, without_tokens

pytestmark = pytest.mark.django_db

KNOWN = "known@example.com"
UNKNOWN = "nobody@example.com"


def answer(method_post: dict, url: str, email: str) -> tuple[int, str, str]:
    """Status, redirect target and the page finally shown, for one fresh visitor."""
    client = Client()
    response = client.post(url, method_post)
    location = response.get("Location", "")
    final = client.get(location) if response.status_code == 302 else response
    return response.status_code, location, without_tokens(final.content.decode(), email)


@pytest.fixture
def known_user():
    return UserFactory(email=KNOWN)


def test_signup_answers_identically(known_user, run_tasks):
    def post(email):
        data = {
            "email": email,
            "display_name": "Someone",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        return answer(data, reverse("account_signup"), email)

    known, unknown = post(KNOWN), post(UNKNOWN)
    assert known[0] == 302
    assert known == unknown
    run_tasks()
    # The real owner is told someone tried; the new address gets its verification link.
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 2
    assert [m.to for m in mail.outbox] == [[KNOWN], [UNKNOWN]]


def test_login_with_wrong_password_answers_identically(known_user):
    def post(email):
        data = {"login": email, "password": "not the password"}
        return answer(data, reverse("account_login"), email)

    known, unknown = post(KNOWN), post(UNKNOWN)
    assert known[0] == 200
    assert "not correct" in known[2]
    assert known == unknown


def test_password_reset_answers_identically(known_user, run_tasks):
    def post(email):
        return answer({"email": email}, reverse("account_reset_password"), email)

    known, unknown = post(KNOWN), post(UNKNOWN)
    assert known[0] == 302
    assert known == unknown
    run_tasks()
    assert [m.to for m in mail.outbox] == [[KNOWN], [UNKNOWN]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "/accounts/password/reset/key/" not in mail.outbox[1].body
