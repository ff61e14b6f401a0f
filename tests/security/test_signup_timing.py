"""Finding 4: sign-up costs the same work for a registered address and a new one, so its
timing does not tell who has an account (SECURITY.md promises identical answers)."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KNOWN = "known@example.com"
UNKNOWN = "nobody@example.com"
PASSWORD = "correct horse battery"


class CountingHasher(MD5PasswordHasher):
    """The hashing work, counted: every hash and every check of a password encodes once."""

    algorithm = "counting_md5"
    encodes = 0

    def encode(self, password, salt):
        CountingHasher.encodes += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def _counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]


def _hashes_for(url: str, data: dict) -> tuple[int, int]:
    """Password hashes done while answering one POST, and the answer's status."""
    CountingHasher.encodes = 0
    response = Client().post(url, data)
    return CountingHasher.encodes, response.status_code


def test_signup_hashes_the_password_for_known_and_unknown_addresses(settings, run_tasks):
    """Finding 4: the password hasher runs as often for a registered address as for a new one
    (it ran only for new ones: 7-14 ms against 229-244 ms)."""
    UserFactory(email=KNOWN)

    def signup(email: str) -> tuple[int, int]:
        data = {
            "email": email,
            "display_name": "Someone",
            "password1": PASSWORD,
            "password2": PASSWORD,
        }
        return _hashes_for(reverse("account_signup"), data)

    known, unknown = signup(KNOWN), signup(UNKNOWN)
    assert unknown == (1, 302)  # the new account's password, hashed once
    assert known == unknown
    # Both really took their own path: the owner is told, the newcomer gets a link.
    run_tasks()
    assert [m.to for m in mail.outbox] == [[KNOWN], [UNKNOWN]]


def test_login_hashes_the_password_for_known_and_unknown_addresses():
    """Finding 4: the same holds for a failed login (allauth hashes for unknown addresses)."""
    UserFactory(email=KNOWN)

    def login(email: str) -> tuple[int, int]:
        return _hashes_for(reverse("account_login"), {"login": email, "password": "wrong one"})

    known, unknown = login(KNOWN), login(UNKNOWN)
    assert known[0] >= 1
    assert known == unknown
