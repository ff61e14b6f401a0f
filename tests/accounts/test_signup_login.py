"""Sign-up with a display name, verification before the first login, and the login rules of
issue 7 (safe `next`, rotated session, admin login through allauth)."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

from .helpers import PASSWORD, last_link

pytestmark = pytest.mark.django_db


def signup(client, email="new@example.com", display_name="Ada Reader", **extra):
    data = {
        "email": email,
        "display_name": display_name,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post(reverse("account_signup"), data)


def test_signup_page_has_labelled_fields_in_our_layout(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert html.count("<h1") == 1
    for field in ("email", "display_name", "password1", "password2"):
        assert f'<label for="id_{field}"' in html
    assert 'autocomplete="nickname"' in html
    assert "style=" not in html
    assert "<script>" not in html


def test_signup_requires_verification_before_login(client, run_tasks):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.com")
    assert user.display_name == "Ada Reader"
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session

    # Logging in before clicking the link only re-sends the link.
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    run_tasks()
    confirm_url = last_link("/accounts/confirm-email/")
    response = client.get(confirm_url)  # one step: the link itself confirms
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    response = client.post(
        reverse("account_login"), {"login": "new@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_verification_link_signs_in_the_browser_that_signed_up(client, run_tasks):
    signup(client)
    run_tasks()
    response = client.post(last_link("/accounts/confirm-email/"))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get().pk)


@pytest.mark.parametrize(
    ("display_name", "error"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 61, "Ensure this value has at most 60 characters"),
        ("Ada\u202eredaeR", "Use letters, numbers, spaces and punctuation only."),
    ],
    ids=["missing", "blank", "too-long", "bidi-override"],
)
def test_signup_refuses_bad_display_names(client, display_name, error, run_tasks):
    response = signup(client, display_name=display_name)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.exists()
    assert run_tasks() == 0
    assert not mail.outbox


def test_signup_refuses_a_weak_password(client):
    response = signup(client, password1="password", password2="password")
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.exists()


def test_display_name_markup_is_escaped(client, run_tasks):
    signup(client, display_name='<script>alert("x")</script>')
    run_tasks()
    client.post(last_link("/accounts/confirm-email/"))
    html = client.get(reverse("accounts:profile")).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_login_and_logout(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client):
    user = UserFactory()
    client.force_login(user)
    client.get(reverse("account_logout"))
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_rotates_the_session(client):
    user = UserFactory()
    client.get(reverse("account_login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert client.session.session_key != before


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "http://evil.example/path", "javascript:alert(1)"],
)
def test_login_refuses_open_redirect_through_next(client, next_url):
    user = UserFactory()
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_follows_a_local_next(client):
    user = UserFactory()
    response = client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD, "next": "/some/article/#comments"},
    )
    assert response["Location"] == "/some/article/#comments"


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=%2Fadmin%2F" in response["Location"]


def test_admin_refuses_signed_in_non_staff(client):
    client.force_login(UserFactory())
    assert client.get("/admin/login/").status_code == 403


def test_staff_reach_the_admin_after_allauth_login(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_verification_mail_names_our_site(client, settings, run_tasks):
    signup(client)
    run_tasks()
    message = mail.outbox[-1]
    assert message.subject.startswith(f"[{settings.SITE_NAME}] ")
    assert "example.com" not in message.body
