"""A session follows its account: deactivating it, or changing its password elsewhere, signs
the session out on its next request (Django's own backends and session hash)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in():
    user = UserFactory(display_name="Ada")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("accounts:profile")).status_code == 200
    return user, client


def test_a_deactivated_account_is_signed_out(signed_in):
    user, client = signed_in
    user.is_active = False
    user.save()
    assert client.get(reverse("accounts:profile")).status_code == 302
    assert b"Ada" not in client.get("/").content


def test_a_password_changed_elsewhere_signs_the_session_out(signed_in):
    user, client = signed_in
    user.set_password("another horse battery")
    user.save()
    assert client.get(reverse("accounts:profile")).status_code == 302
