"""Findings 1, 7, 10, 11, 12, 14 and 15 of the adversarial review (issue 18): the comment
endpoints and the caches of the reading path."""

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.test import Client
from django.urls import reverse

from accounts.services import user_delete
from articles.models import Article
from comments import services
from comments.models import MAX_BODY_LENGTH, Comment, CommentLike
from comments.views import DRAFTS_PER_MINUTE, LIKES_PER_MINUTE
from tests.factories import ArticleFactory, CommentFactory, UserFactory, relaxed_moderation

pytestmark = pytest.mark.django_db

UNPUBLISHED = [status for status in Comment.Status.values if status != "published"]
SECRET = "Held text nobody else may read"


@pytest.fixture
def article():
    relaxed_moderation()
    return ArticleFactory(title="Ports reopen after the storm")


@pytest.fixture
def reader():
    return UserFactory(display_name="Ada")


@pytest.fixture
def reader_client(reader):
    client = Client()
    client.force_login(reader)
    return client


def comment_endpoints(comment: Comment) -> list[tuple[str, str, dict]]:
    """Every endpoint that takes a comment's id from the request, with a request for it."""
    create = reverse("comments:create", args=[comment.article_id])
    return [
        ("post", create, {"body": "x", "parent": comment.pk, "client_token": ""}),
        ("get", reverse("comments:permalink", args=[comment.pk]), {}),
        ("get", reverse("comments:reply", args=[comment.pk]), {}),
        ("get", reverse("comments:edit", args=[comment.pk]), {}),
        ("get", reverse("comments:delete", args=[comment.pk]), {}),
        ("post", reverse("comments:like", args=[comment.pk]), {"action": "like"}),
        ("get", reverse("comments:report", args=[comment.pk]), {}),
        ("post", reverse("comments:request-review", args=[comment.pk]), {}),
    ]


@pytest.mark.parametrize("status", UNPUBLISHED)
def test_finding_1_unpublished_comments_never_leak_through_an_id(article, reader_client, status):
    """Finding 1: a held, hidden, spam or removed comment of someone else's is found by no
    endpoint that takes a comment id, and its text is shown by none."""
    held = CommentFactory(article=article, body=SECRET, status=status)
    for method, url, data in comment_endpoints(held):
        response = getattr(reader_client, method)(url, data)
        assert SECRET not in response.content.decode(), (url, response.status_code)
        assert response.status_code in {200, 302, 404}, (url, response.status_code)
    assert not CommentLike.objects.exists()
    assert not Comment.objects.filter(parent=held).exists()


def test_finding_7_drafts_refuse_cross_site_posts_and_keep_the_reader_s_session(
    article, reader, reader_client
):
    """Finding 7: another site's page cannot post to the token-free draft endpoint, so it can
    neither replace the reader's session (log them out) nor plant text in their comment box."""
    url = reverse("comments:draft", args=[article.pk])
    before = reader_client.cookies["sessionid"].value
    # The Lax session cookie is not sent on a cross-site POST: Django sees a new visitor.
    stranger = Client()
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = stranger.post(url, {"body": "Planted"}, headers=headers)
        assert response.status_code == 403
        assert "sessionid" not in response.cookies
    page = reader_client.get(article.get_absolute_url()).content.decode()
    assert "Planted" not in page
    assert reader_client.cookies["sessionid"].value == before
    # From the site's own page the draft is kept, as before.
    own = Client().post(url, {"body": "Mine"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 302


def test_finding_15_a_draft_session_is_small_and_drafts_are_rate_limited(article):
    """Finding 15: a session keeps one draft of at most a comment's length, and one address
    may leave only a few drafts a minute."""
    url = reverse("comments:draft", args=[article.pk])
    client = Client()
    client.post(url, {"body": "x" * 100_000})
    client.post(url, {"body": "y" * 100_000})
    session = SessionStore(client.cookies["sessionid"].value)
    assert session["comment_draft"]["body"] == "y" * MAX_BODY_LENGTH
    assert len(session.encode(dict(session.items()))) < 2 * MAX_BODY_LENGTH
    statuses = [Client().post(url, {"body": "z"}).status_code for _ in range(DRAFTS_PER_MINUTE)]
    assert 429 in statuses
    assert statuses.index(429) == DRAFTS_PER_MINUTE - 2  # the two posts above counted


def test_finding_10_an_unchanged_profile_save_keeps_the_pages_and_saves_are_limited(
    article, reader, reader_client, django_capture_on_commit_callbacks
):
    """Finding 10: saving the profile with the same name renews no cached page, and saves
    (like likes) are rate-limited."""
    url = article.get_absolute_url()
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    form = {"display_name": "Ada", "reply_mail": "immediately", "followed_mail": "immediately"}
    with django_capture_on_commit_callbacks(execute=True):
        assert reader_client.post(reverse("accounts:profile"), form).status_code == 302
    assert Client().get(url)["X-Page-Cache"] == "hit"
    responses = [reader_client.post(reverse("accounts:profile"), form) for _ in range(10)]
    assert responses[-1].status_code == 200
    assert "saving too often" in responses[-1].content.decode()


def test_finding_10_likes_are_rate_limited(article, reader, reader_client):
    comment = CommentFactory(article=article)
    like = reverse("comments:like", args=[comment.pk])
    for number in range(LIKES_PER_MINUTE + 1):
        reader_client.post(like, {"action": "unlike" if number % 2 else "like"})
    assert reader_client.post(like, {"action": "like"}).status_code == 302
    assert not CommentLike.objects.exists()  # the last like, past the limit, was refused


def test_finding_11_no_comment_action_on_an_unpublished_article(article, reader_client, reader):
    """Finding 11: likes (and every other action) need the article to be public."""
    comment = CommentFactory(article=article)
    own = CommentFactory(article=article, author=reader)
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    for method, url, data in comment_endpoints(comment) + comment_endpoints(own):
        response = getattr(reader_client, method)(url, data)
        assert response.status_code in {302, 404}, (url, response.status_code)
    assert not CommentLike.objects.exists()
    assert Comment.objects.count() == 2
    assert Comment.objects.get(pk=own.pk).deleted_at is None


def test_finding_12_a_deleted_account_s_name_leaves_cached_pages(
    article, reader, django_capture_on_commit_callbacks
):
    """Finding 12: the SET_NULL on comments sends no signal; the account's deletion renews
    the pages that showed the name."""
    services.comment_create(article=article, author=reader, body="Signed with my name")
    url = article.get_absolute_url()
    assert "Ada" in Client().get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=reader, erase_comments=False)
    page = Client().get(url).content.decode()
    assert "Signed with my name" in page
    assert "Ada" not in page


@pytest.mark.parametrize("path", ["/accounts/profile/", "/search/?q=storm", "edit", "/", "article"])
def test_finding_14_every_page_of_a_signed_in_reader_is_private(
    article, reader, reader_client, path
):
    """Finding 14: a response to a request with a session is private and revalidated."""
    if path == "edit":
        comment = services.comment_create(article=article, author=reader, body="Mine")
        path = reverse("comments:edit", args=[comment.pk])
    elif path == "article":
        path = article.get_absolute_url()
    response = reader_client.get(path)
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= cache_control
    assert "public" not in cache_control
    assert "Cookie" in response["Vary"]


def test_finding_6_no_edit_link_once_a_moderator_has_decided(
    article, reader, reader_client, django_capture_on_commit_callbacks
):
    """Finding 6: the page offers no Edit link for a comment a moderator has decided on (here
    hidden, which its author still sees), and the edit page says why."""
    comment = services.comment_create(article=article, author=reader, body="Judged text")
    edit = reverse("comments:edit", args=[comment.pk])
    assert f'href="{edit}"' in reader_client.get(article.get_absolute_url()).content.decode()
    moderator = UserFactory(is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_set_status(comment=comment, status="hidden", moderator=moderator)
    assert f'href="{edit}"' not in reader_client.get(article.get_absolute_url()).content.decode()
    assert "A moderator has looked at this comment" in reader_client.get(edit).content.decode()
