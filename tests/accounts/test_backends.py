"""The signed-in user is read with SQL of our own (accounts/backends.py): the same checks hold."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user
from django.test import Client, RequestFactory

from accounts.backends import AuthenticationBackend, ModelBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def request_with_session(client: Client):
    request = RequestFactory().get("/")
    request.session = client.session
    return request


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_the_session_s_user_is_loaded_whole(backend):
    user = UserFactory(display_name="Ada")
    loaded = backend().get_user(str(user.pk))
    assert loaded == user
    assert loaded.public_name == "Ada"
    assert loaded.email == user.email


@pytest.mark.parametrize("user_id", ["999999", "not-a-number", ""])
def test_an_unknown_or_malformed_id_is_nobody(user_id):
    assert ModelBackend().get_user(user_id) is None


def test_a_deactivated_reader_is_signed_out_on_their_next_request():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    assert get_user(request_with_session(client)) == user
    assert client.session[BACKEND_SESSION_KEY] == "accounts.backends.ModelBackend"

    user.is_active = False
    user.save()
    assert not get_user(request_with_session(client)).is_authenticated


def test_a_changed_password_ends_other_sessions():
    user = UserFactory()
    client = Client()
    client.force_login(user)
    user.set_password("a-new-long-passphrase")
    user.save()
    request = request_with_session(client)
    assert request.session[SESSION_KEY] == str(user.pk)
    assert not get_user(request).is_authenticated
