"""The reader's own page: their comments, their settings, their data, and leaving."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.services import user_delete, user_export_data, user_update_profile
from articles.models import Article
from comments.models import Comment, CommentLike, CommentReport
from tests.factories import ArticleFactory, UserFactory

from .helpers import PASSWORD, make_comment

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return UserFactory(display_name="Ada")


@pytest.fixture
def article():
    return ArticleFactory(title="Ports reopen after the storm")


def test_reader_page_needs_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_header_links_the_signed_in_name_to_the_reader_page(client, reader):
    client.force_login(reader)
    html = client.get("/").content.decode()
    assert f'<a href="{reverse("accounts:profile")}">Ada</a>' in html


def test_reader_page_shows_own_comments_only(client, reader, article):
    other = UserFactory()
    make_comment(article, reader, "My *own* view")
    make_comment(
        article,
        reader,
        "Still waiting",
        status=Comment.Status.PENDING,
        moderation_reason="First comments are checked by a moderator.",
    )
    make_comment(article, reader, "Gone", deleted_at="2026-01-01T00:00Z")
    make_comment(article, reader, "Spam link", status=Comment.Status.SPAM)
    make_comment(article, other, "Somebody else's view")
    client.force_login(reader)
    response = client.get(reverse("accounts:profile"))
    html = response.content.decode()
    assert "My <em>own</em> view" in html
    assert "Still waiting" in html
    assert "Awaiting moderation" in html
    assert "First comments are checked by a moderator." in html
    assert "Somebody else" not in html
    assert "Gone" not in html
    assert "Spam link" not in html
    assert f'href="{article.get_absolute_url()}#c' in html


def test_reader_page_query_count_is_flat(client, reader, article, django_assert_max_num_queries):
    """Stops an N+1 on comment.article while listing the reader's comments."""
    for n in range(15):
        make_comment(ArticleFactory(), reader, f"Comment {n}")
    client.force_login(reader)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:profile"))
    assert response.content.decode().count('class="my-comment"') == 15


def test_reader_page_paginates(client, reader, article):
    for n in range(25):
        make_comment(article, reader, f"Comment number {n}")
    client.force_login(reader)
    html = client.get(reverse("accounts:profile") + "?page=2").content.decode()
    assert html.count('class="my-comment"') == 5
    assert "Page 2 of 2" in html


def test_settings_form_updates_name_and_notifications(client, reader):
    client.force_login(reader)
    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "  Ada L.  ", "reply_mail": "daily", "followed_mail": "off"},
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.display_name == "Ada L."
    assert reader.reply_mail == "daily"
    assert reader.followed_mail == "off"
    assert reader.staff_reply_mail == "immediately"  # not sent: kept as it was


def test_settings_form_refuses_a_too_long_name(client, reader):
    client.force_login(reader)
    response = client.post(reverse("accounts:profile"), {"display_name": "x" * 61})
    assert response.status_code == 200
    assert "at most 60 characters" in response.content.decode()
    reader.refresh_from_db()
    assert reader.display_name == "Ada"


def test_user_update_profile_validates(reader):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        user_update_profile(
            user=reader, display_name="\u200b", reply_mail="immediately", followed_mail="off"
        )


def test_export_contains_the_readers_data(client, reader, article):
    other = UserFactory()
    mine = make_comment(article, reader, "Mine")
    theirs = make_comment(article, other, "Theirs")
    CommentLike.objects.create(comment=theirs, user=reader)
    CommentReport.objects.create(comment=theirs, reporter=reader, reason="spam")
    client.force_login(reader)
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["email"] == reader.email
    assert data["profile"]["display_name"] == "Ada"
    assert data["email_addresses"] == [{"email": reader.email, "verified": True, "primary": True}]
    assert [c["body"] for c in data["comments"]] == ["Mine"]
    assert data["comments"][0]["article_url"].endswith(article.get_absolute_url())
    assert data["comments"][0]["url"].endswith(f"{article.get_absolute_url()}#c{mine.pk}")
    assert data["comment likes"][0]["comment"] == theirs.pk
    assert data["comment reports"][0]["reason"] == "spam"
    assert data["notices sent"] == []
    assert "password" not in response.content.decode()


def test_export_holds_statements_and_notices_about_the_reader(reader, article):
    moderator = UserFactory(is_staff=True, is_superuser=True)
    from comments.services import comment_set_status
    from notices.services import notice_create

    comment = make_comment(article, reader, "Mine")
    comment_set_status(comment=comment, status="removed", moderator=moderator, note="Abuse")
    theirs = make_comment(article, UserFactory(), "Theirs")
    notice_create(
        comment=theirs,
        ground="hate",
        explanation="It is hateful.",
        location_url=f"https://example.com{theirs.get_absolute_url()}",
        sender_name="Ada",
        sender_email=reader.email.upper(),
        is_good_faith=True,
    )

    data = user_export_data(user=reader)

    [statement] = data["statements of reasons"]
    assert statement["restriction"] == "removed"
    assert statement["comment_excerpt"] == "Mine"
    [notice] = data["notices sent"]
    assert notice["explanation"] == "It is hateful."


def test_export_query_count_is_flat(reader, django_assert_max_num_queries):
    """Stops an N+1 on comment.article in the export. (One query per relation to the reader:
    trust changes added two; notices, decisions, statements and appeals five; mutes and
    digest entries two; imported identities and import runs two.)"""
    for n in range(10):
        make_comment(ArticleFactory(), reader, f"Comment {n}")
    with django_assert_max_num_queries(19):
        data = user_export_data(user=reader)
    assert len(data["comments"]) == 10


def test_delete_keeps_comments_as_deleted_user(client, reader, article):
    comment = make_comment(article, reader, "Keep me")
    client.force_login(reader)
    response = client.post(reverse("accounts:delete"), {"comments": "keep", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(pk=reader.pk).exists()
    assert not EmailAddress.objects.filter(email=reader.email).exists()
    comment.refresh_from_db()
    assert comment.author is None
    assert comment.author_name == "deleted user"
    assert comment.body == "Keep me"
    assert "_auth_user_id" not in client.session


def test_delete_can_erase_comments(client, reader, article):
    comment = make_comment(article, reader, "Erase me")
    reply = make_comment(article, UserFactory(), "A reply", parent=comment)
    client.force_login(reader)
    client.post(reverse("accounts:delete"), {"comments": "erase", "password": PASSWORD})
    assert not User.objects.filter(pk=reader.pk).exists()
    comment.refresh_from_db()
    assert comment.author is None
    assert comment.body == ""
    assert comment.body_html == ""
    assert comment.deleted_at is not None
    assert Comment.objects.filter(pk=reply.pk).exists()
    assert Article.objects.get(pk=article.pk).comment_count == 1


def test_deleting_withdraws_likes(reader, article):
    theirs = make_comment(article, UserFactory(), "Liked")
    CommentLike.objects.create(comment=theirs, user=reader)
    Comment.objects.filter(pk=theirs.pk).update(like_count=1)
    user_delete(user=reader, erase_comments=False)
    theirs.refresh_from_db()
    assert theirs.like_count == 0


def test_delete_needs_the_right_password(client, reader, article):
    make_comment(article, reader, "Still here")
    client.force_login(reader)
    response = client.post(reverse("accounts:delete"), {"comments": "erase", "password": "wrong"})
    assert response.status_code == 200
    assert "That password is not correct." in response.content.decode()
    assert User.objects.filter(pk=reader.pk).exists()
    assert Comment.objects.get().body == "Still here"


def test_delete_page_get_changes_nothing(client, reader):
    client.force_login(reader)
    response = client.get(reverse("accounts:delete"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_password">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert User.objects.filter(pk=reader.pk).exists()


def test_delete_needs_csrf(reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = client.post(reverse("accounts:delete"), {"comments": "keep", "password": PASSWORD})
    assert response.status_code == 403
    assert User.objects.filter(pk=reader.pk).exists()


def test_social_only_reader_confirms_with_their_address(client):
    reader = UserFactory(password=None)
    reader.set_unusable_password()
    reader.save()
    client.force_login(reader)
    response = client.post(
        reverse("accounts:delete"), {"comments": "keep", "password": "someone@else.example"}
    )
    assert response.status_code == 200
    assert User.objects.filter(pk=reader.pk).exists()
    client.post(reverse("accounts:delete"), {"comments": "keep", "password": reader.email})
    assert not User.objects.filter(pk=reader.pk).exists()


def test_password_guessing_on_the_delete_form_is_rate_limited(client, reader):
    client.force_login(reader)
    statuses = [
        client.post(
            reverse("accounts:delete"), {"comments": "keep", "password": f"guess {n}"}
        ).status_code
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    assert User.objects.filter(pk=reader.pk).exists()
