"""The signed-in user is read with SQL of our own (accounts/backends.py): the same checks hold."""

import datetime

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user
from django.test import Client, RequestFactory
from django.utils import timezone

from accounts.backends import AuthenticationBackend, ModelBackend, loading_user_with
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def request_with_session(client: Client):
    request = RequestFactory().get("/")
    request.session = client.session
    return request


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_the_session_s_user_is_loaded_whole_and_typed_as_the_orm_types_it(backend):
    suspended_until = timezone.now() + datetime.timedelta(days=3)
    user = UserFactory(display_name="Ada", posting_suspended_until=suspended_until)
    loaded = backend().get_user(str(user.pk))
    expected = User.objects.get(pk=user.pk)
    for field in User._meta.concrete_fields:
        mine, orm = getattr(loaded, field.attname), getattr(expected, field.attname)
        assert (mine, type(mine)) == (orm, type(orm)), field.name
    assert loaded.posting_suspended_until == suspended_until
    assert loaded.is_banned is False
    assert loaded.public_name == "Ada"
    assert loaded._state.adding is False  # saved as an update, like any loaded row


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


def users_from(first_pk):
    """A query about the reader: the ids of users from theirs on."""
    sql = f"SELECT id AS other FROM {User._meta.db_table} WHERE id >= %s ORDER BY id"  # noqa: S608
    return sql, [first_pk]


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_a_query_loaded_with_the_user_comes_back_on_them(backend, django_assert_num_queries):
    reader, later = UserFactory(), UserFactory()
    with django_assert_num_queries(1), loading_user_with("users-from", users_from):
        loaded = backend().get_user(str(reader.pk))
    expected = User.objects.get(pk=reader.pk)
    for field in User._meta.concrete_fields:
        mine, orm = getattr(loaded, field.attname), getattr(expected, field.attname)
        assert (mine, type(mine)) == (orm, type(orm)), field.name
    assert loaded.loaded_with == {"users-from": [(reader.pk,), (later.pk,)]}


def test_a_query_that_finds_nothing_never_hides_the_user():
    reader = UserFactory()
    with loading_user_with("nobody", lambda pk: users_from(pk + 10**9)):
        loaded = ModelBackend().get_user(str(reader.pk))
    assert loaded == reader
    assert not hasattr(loaded, "loaded_with")  # the caller asks again


def test_a_deactivated_reader_is_not_signed_in_with_a_query_either():
    reader = UserFactory(is_active=False)
    with loading_user_with("users-from", users_from):
        assert ModelBackend().get_user(str(reader.pk)) is None


def test_the_query_belongs_to_its_block_only():
    reader = UserFactory()
    with loading_user_with("users-from", users_from):
        pass
    assert not hasattr(ModelBackend().get_user(str(reader.pk)), "loaded_with")
