"""Issue 14, item 3: an editor made the way `make_editor` advises can sign in to /admin/."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long editor passphrase 42"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _change_password(monkeypatch, username: str) -> None:
    """`manage.py changepassword`, answering its two prompts as an operator would."""
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    call_command("changepassword", username, stdout=None)


def test_make_editor_then_changepassword_then_admin_without_verification(monkeypatch, capsys):
    """Issue 14 item 3: make_editor, the printed changepassword, then allauth's login: the
    editor reaches /admin/, not "Verify Your Email Address"; the printed command works as
    written (no `uv run`, which `make run` does not put on the PATH)."""
    call_command("make_editor", "ed@example.com")
    out = capsys.readouterr().out
    user = get_user_model().objects.get(email="ed@example.com")
    command = re.search(r"^\s*(\S+) manage\.py changepassword (\S+)$", out, re.MULTILINE)
    assert command, out
    assert command.groups() == (".venv/bin/python", user.username)
    assert "uv run" not in out

    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("ed@example.com", True, True)

    _change_password(monkeypatch, user.username)
    client = Client()
    login = client.get(reverse("admin:index"), follow=True)
    assert login.redirect_chain[-1][0].startswith(reverse("account_login"))
    response = client.post(
        login.redirect_chain[-1][0],
        {"login": "ed@example.com", "password": PASSWORD},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert "Verify Your Email Address" not in html
    assert "newsite newsroom" in html


def test_make_editor_vouches_for_an_existing_readers_address(capsys):
    """Issue 14 item 3: an existing reader's unverified address becomes verified and primary,
    and the password someone chose for that unverified address is cleared (anyone can sign
    up with an address they do not own; the operator vouches for the address only)."""
    squatter = UserFactory(email="ed@example.com", verified=False)
    EmailAddress.objects.filter(email="ed@example.com").update(primary=False)
    EmailAddress.objects.create(user=squatter, email="old@example.com", primary=True)

    call_command("make_editor", "ed@example.com")
    squatter.refresh_from_db()
    assert not squatter.has_usable_password()
    assert "changepassword" in capsys.readouterr().out
    primary = EmailAddress.objects.get(user=squatter, primary=True)
    assert (primary.email, primary.verified) == ("ed@example.com", True)
    assert squatter.email == "ed@example.com"

    # A reader whose address was verified keeps their password.
    reader = UserFactory(email="reader@example.com")
    call_command("make_editor", "reader@example.com", "--moderator")
    reader.refresh_from_db()
    assert reader.has_usable_password()
