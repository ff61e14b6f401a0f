"""The commenter's path through the account pages: the login page says a draft is kept, the
verify-email page resends and leads back to the article, and the mailed link confirms in one
step."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from comments.discussion import login_url_for
from tests.factories import ArticleFactory, UserFactory

from .helpers import PASSWORD, last_link

pytestmark = pytest.mark.django_db

DRAFT_NOTICE = "Log in to post your comment: your draft is saved."
VERIFY = reverse("account_email_verification_sent")
RESEND = reverse("accounts:resend-verification")


def signup(client, email="new@example.com", next_url=""):
    data = {"email": email, "display_name": "Ada", "password1": PASSWORD, "password2": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_signup"), data)


def test_login_page_from_a_comment_form_says_the_draft_is_saved(client):
    article = ArticleFactory()
    html = client.get(login_url_for(article, draft=True)).content.decode()
    assert DRAFT_NOTICE in html
    assert f'value="{article.get_absolute_url()}#comments"' in html  # next survives the form
    assert "<h1>Log in</h1>" in html
    assert DRAFT_NOTICE not in client.get(login_url_for(article)).content.decode()


def test_posting_logged_out_keeps_the_draft_and_the_login_page_says_so(client):
    article = ArticleFactory()
    response = client.post(
        reverse("comments:draft", args=[article.pk]), {"body": "My point is this."}, follow=True
    )
    assert DRAFT_NOTICE in response.content.decode()
    assert client.session["comment_draft"]["body"] == "My point is this."


def test_verify_page_resends_and_leads_back_to_the_article(client, run_tasks, monkeypatch):
    from comments import ratelimit

    monkeypatch.setattr(ratelimit, "now", lambda: 180.0 * 10_000 + 10)  # 170 s left
    article_url = "/articles/some-story/#comments"
    response = signup(client, next_url=article_url)
    assert response["Location"] == VERIFY
    html = client.get(VERIFY).content.decode()
    assert f'action="{RESEND}"' in html
    assert f'href="{article_url}"' in html
    run_tasks()
    first_link = last_link("/accounts/confirm-email/")
    mail.outbox.clear()

    response = client.post(RESEND, follow=True)
    assert "We sent the email again to new@example.com." in response.content.decode()
    run_tasks()
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    assert last_link("/accounts/confirm-email/") == first_link  # HMAC keys: the same link

    # A second click at once is refused with how long to wait, and sends nothing.
    mail.outbox.clear()
    response = client.post(RESEND, follow=True)
    assert "We sent it a moment ago. Try again in 3 minutes." in response.content.decode()
    run_tasks()
    assert mail.outbox == []


def test_resend_without_a_signup_in_this_session_mails_nobody(client, run_tasks):
    UserFactory(email="someone@example.com", verified=False)
    response = client.post(RESEND, follow=True)
    assert "There is no address waiting for confirmation." in response.content.decode()
    run_tasks()
    assert mail.outbox == []
    assert client.get(RESEND).status_code == 405


def test_resend_for_an_existing_address_looks_the_same(client, run_tasks):
    UserFactory(email="taken@example.com")
    signup(client, email="taken@example.com")
    html = client.get(VERIFY).content.decode()
    assert f'action="{RESEND}"' in html
    run_tasks()
    mail.outbox.clear()
    response = client.post(RESEND, follow=True)
    assert "We sent the email again to taken@example.com." in response.content.decode()
    run_tasks()
    assert [m.to for m in mail.outbox] == [["taken@example.com"]]
    assert "/accounts/confirm-email/" not in mail.outbox[0].body  # the "already exists" mail


def test_the_mailed_link_confirms_in_one_step_and_returns_to_the_article(client, run_tasks):
    article_url = "/articles/some-story/#comments"
    signup(client, next_url=article_url)
    run_tasks()
    response = client.get(last_link("/accounts/confirm-email/"))
    user = User.objects.get(email="new@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert response.status_code == 302
    assert response["Location"] == article_url
