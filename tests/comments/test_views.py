"""The comment pages and endpoints, including crafted requests that must be refused."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import services
from comments.models import Comment, CommentReport, ThreadSubscription
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def create_url(article) -> str:
    return reverse("comments:create", kwargs={"article_id": article.pk})


def post_comment(client, article, body="Well put.", **extra):
    data = {"body": body, "client_token": extra.pop("client_token", ""), **extra}
    return client.post(create_url(article), data)


def test_anonymous_reader_sees_thread_and_login_link(client, rules, article, reader):
    services.comment_create(article=article, author=reader, body="Visible to all")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Visible to all" in html
    login = f"/accounts/login/?next={quote(article.get_absolute_url(), safe='')}%23comments"
    assert f'href="{login}">Log in to comment</a>' in html
    assert "Log in and post" in html


def test_anonymous_post_keeps_draft_across_login(client, rules, article, reader):
    response = post_comment(client, article, "Typed before logging in")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "%23comments" in response["Location"]
    assert not Comment.objects.exists()
    client.post(
        reverse("account_login"), {"login": reader.email, "password": "correct horse battery"}
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert ">\nTyped before logging in</textarea>" in html
    # Posting it clears the draft.
    post_comment(client, article, "Typed before logging in")
    html = client.get(article.get_absolute_url()).content.decode()
    assert ">\nTyped before logging in</textarea>" not in html
    assert ">\n</textarea>" in html


def test_anonymous_form_posts_a_draft_without_csrf(rules, article, reader):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    html = csrf_client.get(article.get_absolute_url()).content.decode()
    draft_url = reverse("comments:draft", kwargs={"article_id": article.pk})
    assert f'action="{draft_url}"' in html
    response = csrf_client.post(draft_url, {"body": "Draft only"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert csrf_client.session["comment_draft"]["body"] == "Draft only"
    assert not Comment.objects.exists()
    # Signed in, the draft endpoint neither posts nor stores anything.
    csrf_client.force_login(reader)
    csrf_client.post(draft_url, {"body": "Planted"})
    assert not Comment.objects.exists()
    assert "Planted" not in str(csrf_client.session.get("comment_draft"))


def test_post_redirects_to_permalink_which_opens_the_right_place(client, rules, article, reader):
    client.force_login(reader)
    response = post_comment(client, article, "Hello *there*")
    comment = Comment.objects.get()
    assert response["Location"] == f"/comments/{comment.pk}/"
    response = client.get(response["Location"])
    assert response["Location"] == f"{article.get_absolute_url()}#c{comment.pk}"
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'id="c{comment.pk}"' in html
    assert "Hello <em>there</em>" in html
    assert '<span class="comments__count">1</span>' in html


def test_permalink_to_comment_on_later_page(client, rules, article):
    rules.user_rate_limit = 100
    rules.save()
    authors = [UserFactory() for _ in range(3)]
    comments = [
        services.comment_create(article=article, author=authors[i % 3], body=f"Number {i}")
        for i in range(25)
    ]
    reply = services.comment_create(
        article=article, author=authors[1], body="Reply", parent=comments[2]
    )
    # oldest sort: comments[2] is on page 1; newest: it is on page 2 (25 threads, 20 a page).
    response = client.get(reverse("comments:permalink", kwargs={"pk": reply.pk}) + "?sort=newest")
    assert response["Location"] == f"{article.get_absolute_url()}?sort=newest&page=2#c{reply.pk}"
    page = client.get(f"{article.get_absolute_url()}?sort=newest&page=2").content.decode()
    assert f'id="c{reply.pk}"' in page
    assert "Number 2<" in page
    assert "Number 24<" not in page


def test_permalink_of_someone_elses_held_comment_is_404(client, rules, article, reader):
    comment = services.comment_create(article=article, author=reader, body="Held")
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
    url = reverse("comments:permalink", kwargs={"pk": comment.pk})
    assert client.get(url).status_code == 404
    client.force_login(reader)
    assert client.get(url).status_code == 302


def test_invalid_comment_reshows_form_with_text_and_message(client, rules, article, reader):
    client.force_login(reader)
    response = post_comment(client, article, "z" * 5001)
    assert response.status_code == 200
    html = response.content.decode()
    assert "5,001 characters long; the limit is 5,000" in html
    assert "z" * 5001 + "</textarea>" in html
    assert not Comment.objects.exists()


def test_post_to_closed_article_refused(client, rules, reader):
    article = ArticleFactory()
    earlier = services.comment_create(article=article, author=UserFactory(), body="Earlier")
    Article.objects.filter(pk=article.pk).update(comments_open=False)
    client.force_login(reader)
    response = post_comment(client, article)
    assert "Comments are closed on this article." in response.content.decode()
    assert Comment.objects.count() == 1
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed on this article." in html
    assert 'name="body"' not in html
    assert "Earlier" in html  # the discussion stays readable
    assert reverse("comments:reply", kwargs={"pk": earlier.pk}) not in html


def test_post_to_draft_article_is_404(client, rules, reader):
    client.force_login(reader)
    article = ArticleFactory(status=Article.Status.DRAFT)
    assert post_comment(client, article).status_code == 404


def test_unverified_reader_is_told_and_refused(client, rules, article):
    unverified = UserFactory(verified=False)
    client.force_login(unverified)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "confirm your email address" in html
    assert 'name="body"' not in html
    response = post_comment(client, article, "Sneaky crafted post")
    assert "confirm your email address" in response.content.decode()
    assert not Comment.objects.exists()


def test_rate_limit_through_the_view(client, rules, article, reader, monkeypatch):
    from comments import ratelimit

    monkeypatch.setattr(ratelimit, "now", lambda: 5_000_000.0)
    rules.user_rate_limit = 1
    rules.save()
    client.force_login(reader)
    post_comment(client, article, "one")
    response = post_comment(client, article, "two")
    assert "commenting too quickly" in response.content.decode()
    assert Comment.objects.count() == 1


def test_double_submit_creates_one_comment(client, rules, article, reader):
    client.force_login(reader)
    first = post_comment(client, article, "Once only", client_token="abc123")
    second = post_comment(client, article, "Once only", client_token="abc123")
    assert Comment.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Article.objects.get(pk=article.pk).comment_count == 1


def client_token_in(html: str) -> str:
    return re.search(r'name="client_token" value="([^"]*)"', html)[1]


def test_form_carries_a_fresh_client_token(client, rules, article, reader):
    client.force_login(reader)
    one = client_token_in(client.get(article.get_absolute_url()).content.decode())
    two = client_token_in(client.get(article.get_absolute_url()).content.decode())
    assert re.fullmatch(r"[0-9a-f]{32}", one)
    assert one != two
    # A comment posted with the page's token is made once, however often it is sent.
    post_comment(client, article, "Once", client_token=one)
    post_comment(client, article, "Once", client_token=one)
    assert Comment.objects.count() == 1


def test_honeypot_drops_the_comment(client, rules, article, reader):
    client.force_login(reader)
    response = post_comment(client, article, "Buy now", website="http://spam.example")
    assert response.status_code == 302
    assert not Comment.objects.exists()


def test_reply_through_form_and_reply_page(client, rules, article, reader, other_reader):
    parent = services.comment_create(article=article, author=reader, body="Parent")
    client.force_login(other_reader)
    page = client.get(reverse("comments:reply", kwargs={"pk": parent.pk}))
    assert page.status_code == 200
    assert f'name="parent" value="{parent.pk}"' in page.content.decode()
    response = post_comment(client, article, "A reply", parent=parent.pk)
    reply = Comment.objects.get(parent=parent)
    assert response["Location"] == reply.get_absolute_url()


def test_reply_beyond_depth_cap_says_whom_it_answers(client, rules, article, reader):
    chain = [services.comment_create(article=article, author=reader, body="level 0")]
    for depth in range(1, 5):
        chain.append(
            services.comment_create(
                article=article, author=UserFactory(), body=f"level {depth}", parent=chain[-1]
            )
        )
    html = client.get(article.get_absolute_url()).content.decode()
    answered = chain[3]
    assert f'in reply to <a href="#c{answered.pk}">{answered.author_name}</a>' in html


def test_reply_with_crafted_parent_from_other_article_refused(client, rules, article, reader):
    elsewhere = services.comment_create(article=ArticleFactory(), author=reader, body="There")
    client.force_login(reader)
    response = post_comment(client, article, "Here", parent=elsewhere.pk)
    assert "not available" in response.content.decode()
    assert Comment.objects.count() == 1


def test_reply_page_needs_login(client, rules, article, reader):
    parent = services.comment_create(article=article, author=reader, body="Parent")
    response = client.get(reverse("comments:reply", kwargs={"pk": parent.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_author_edits_and_comment_is_marked_edited(client, rules, article, reader):
    comment = services.comment_create(article=article, author=reader, body="Frist")
    client.force_login(reader)
    url = reverse("comments:edit", kwargs={"pk": comment.pk})
    assert "Frist</textarea>" in client.get(url).content.decode()
    response = client.post(url, {"body": "First"})
    assert response["Location"] == comment.get_absolute_url()
    html = client.get(article.get_absolute_url()).content.decode()
    assert ">edited</span>" in html
    assert "First" in html


def test_an_edit_that_is_held_says_so(client, rules, reader):
    article = ArticleFactory(is_link_hold=True)
    comment = services.comment_create(article=article, author=reader, body="No link")
    client.force_login(reader)
    response = client.post(
        reverse("comments:edit", kwargs={"pk": comment.pk}),
        {"body": "See https://example.com"},
        follow=True,
    )
    page = response.content.decode()
    assert "Your comment was updated and is held for review." in page
    assert "Your comment was updated.<" not in page
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PENDING


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_crafted_edit_or_delete_of_someone_elses_comment_is_404(
    client, rules, article, reader, other_reader, action
):
    comment = services.comment_create(article=article, author=reader, body="Mine")
    client.force_login(other_reader)
    url = reverse(f"comments:{action}", kwargs={"pk": comment.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Hijacked"}).status_code == 404
    comment.refresh_from_db()
    assert comment.body == "Mine"
    assert not comment.is_deleted


@pytest.mark.parametrize("action", ["edit", "delete", "like", "report", "request-review"])
def test_anonymous_crafted_posts_go_to_login(client, rules, article, reader, action):
    comment = services.comment_create(article=article, author=reader, body="Mine")
    response = client.post(reverse(f"comments:{action}", kwargs={"pk": comment.pk}), {"body": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_edit_after_window_shows_message_and_refuses(client, rules, article, reader):
    comment = services.comment_create(article=article, author=reader, body="Old")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    client.force_login(reader)
    url = reverse("comments:edit", kwargs={"pk": comment.pk})
    assert "that time has passed" in client.get(url).content.decode()
    client.post(url, {"body": "New"})
    assert Comment.objects.get(pk=comment.pk).body == "Old"


def test_delete_keeps_reply_and_shows_comment_deleted(client, rules, article, reader, other_reader):
    comment = services.comment_create(article=article, author=reader, body="Regret")
    services.comment_create(article=article, author=other_reader, body="Reply", parent=comment)
    client.force_login(reader)
    client.post(reverse("comments:delete", kwargs={"pk": comment.pk}))
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Comment deleted" in html
    assert "Regret" not in html
    assert "Reply" in html


def test_like_and_unlike(client, rules, article, reader, other_reader):
    comment = services.comment_create(article=article, author=reader, body="Likeable")
    client.force_login(other_reader)
    url = reverse("comments:like", kwargs={"pk": comment.pk})
    client.post(url, {"action": "like"})
    client.post(url, {"action": "like"})
    assert Comment.objects.get(pk=comment.pk).like_count == 1
    html = client.get(article.get_absolute_url()).content.decode()
    card = html[html.index(f'id="c{comment.pk}"') :]
    assert 'aria-pressed="true">' in card
    assert 'Like<span class="comment__count" data-like-count> 1<' in card
    response = client.post(url, {"action": "unlike"}, **XHR)
    assert response.json() == {"liked": False, "like_count": 0, "label": "likes"}
    html = client.get(article.get_absolute_url()).content.decode()
    card = html[html.index(f'id="c{comment.pk}"') :]
    assert 'aria-pressed="false">' in card
    assert 'Like<span class="comment__count" data-like-count></span>' in card
    assert "0 likes" not in html


def test_report_page_and_threshold_hides_comment(client, rules, article, reader):
    rules.report_threshold = 2
    rules.save()
    comment = services.comment_create(article=article, author=reader, body="Nasty")
    url = reverse("comments:report", kwargs={"pk": comment.pk})
    for _ in range(2):
        client.force_login(UserFactory())
        assert client.get(url).status_code == 200
        client.post(url, {"reason": "abuse", "detail": "insulting"})
    assert CommentReport.objects.count() == 2
    client.logout()
    assert "Nasty" not in client.get(article.get_absolute_url()).content.decode()
    client.force_login(reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Nasty" in html
    assert "Held for review" in html
    assert "Ask a moderator to review it" not in html  # held: a review is pending already
    assert "several readers reported it" in html
    client.post(reverse("comments:request-review", kwargs={"pk": comment.pk}))
    assert Comment.objects.get(pk=comment.pk).review_requested_at is not None
    assert "You asked for a review" in client.get(article.get_absolute_url()).content.decode()


def test_author_sees_own_pending_comment_others_do_not(client, article, reader, other_reader):
    client.force_login(reader)
    response = post_comment(client, article, "My first words")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    page = client.get(response["Location"], follow=True).content.decode()
    assert '<span class="pill pill--held">Held for review</span>' in page
    assert "Ask a moderator to review it" not in page
    assert "checked by a moderator" in page
    client.force_login(other_reader)
    assert "My first words" not in client.get(article.get_absolute_url()).content.decode()


def test_sort_links_and_pagination_work_without_js(client, rules, article):
    rules.user_rate_limit = 100
    rules.save()
    authors = [UserFactory() for _ in range(3)]
    for i in range(22):
        services.comment_create(article=article, author=authors[i % 3], body=f"Number {i}")
    first = client.get(f"{article.get_absolute_url()}?sort=oldest").content.decode()
    assert "Number 0<" in first
    assert "Number 21<" not in first
    assert 'href="?sort=oldest&amp;page=2#comments" rel="next"' in first
    second = client.get(f"{article.get_absolute_url()}?sort=oldest&page=2").content.decode()
    assert "Number 21<" in second
    assert "Number 0<" not in second
    newest = client.get(f"{article.get_absolute_url()}?sort=newest").content.decode()
    assert newest.index("Number 21<") < newest.index("Number 20<")


def test_xhr_post_returns_fragment_and_errors(client, rules, article, reader):
    client.force_login(reader)
    response = client.post(create_url(article), {"body": "Via fetch"}, **XHR)
    assert response.status_code == 201
    comment = Comment.objects.get()
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="comment" id="c{comment.pk}"')
    assert "Via fetch" in html
    response = client.post(create_url(article), {"body": ""}, **XHR)
    assert response.status_code == 400
    assert "Please write something" in response.content.decode()


def test_xhr_anonymous_post_asks_to_log_in(client, rules, article):
    response = client.post(create_url(article), {"body": "Hi"}, **XHR)
    assert response.status_code == 401
    assert response.json()["login_url"].startswith("/accounts/login/?next=")


def test_post_needs_csrf(rules, article, reader):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(reader)
    assert post_comment(csrf_client, article).status_code == 403
    assert not Comment.objects.exists()


def test_follow_and_unfollow(client, rules, article, reader):
    client.force_login(reader)
    url = reverse("comments:follow", kwargs={"article_id": article.pk})
    client.post(url, {"action": "follow"})
    assert ThreadSubscription.objects.filter(user=reader, article=article).exists()
    assert "Stop following" in client.get(article.get_absolute_url()).content.decode()
    client.post(url, {"action": "unfollow"})
    assert not ThreadSubscription.objects.exists()


def test_article_page_has_no_inline_script_or_style(client, rules, article, reader):
    services.comment_create(article=article, author=reader, body="Hi")
    client.force_login(reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>" not in html
    assert "style=" not in html
    assert " onclick=" not in html
    assert 'src="/static/js/comments.js" defer' in html


@pytest.mark.parametrize("depth", [0, 1])
def test_unpublished_comment_with_published_replies_keeps_its_place_without_its_text(
    client, rules, article, reader, other_reader, moderator, depth
):
    """Hiding a comment must not hide the published replies under it, nor show its text."""
    top = services.comment_create(article=article, author=reader, body="Top words")
    target = top
    if depth:
        target = services.comment_create(
            article=article, author=reader, body="Middle words", parent=top
        )
    services.comment_create(article=article, author=other_reader, body="Answer", parent=target)
    lonely = services.comment_create(article=article, author=other_reader, body="Lonely spam")
    services.comment_set_status(comment=target, status="removed", moderator=moderator)
    services.comment_set_status(comment=lonely, status="spam", moderator=moderator)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Answer" in html
    assert "This comment is not shown." in html
    assert f'id="c{target.pk}"' in html
    assert "Middle words" not in html
    assert ("Top words" in html) is bool(depth)
    assert "Lonely spam" not in html
    assert f'id="c{lonely.pk}"' not in html


@pytest.mark.parametrize("page", ["9223372036854775808", "9" * 30, "-3", "two", "0"])
def test_any_page_number_shows_a_page_of_threads(client, rules, article, reader, page):
    services.comment_create(article=article, author=reader, body="Still here")
    response = client.get(f"{article.get_absolute_url()}?page={page}", follow=True)
    assert response.status_code == 200
    assert "Still here" in response.content.decode()


def test_kept_comment_cards_follow_an_edit_everywhere(
    client, rules, article, reader, other_reader, django_capture_on_commit_callbacks
):
    """A card's shared part is kept under the discussion's version: an edit shows at once on
    the article page, on the reply page and in the fragment comments.js asks for."""
    comment = services.comment_create(article=article, author=reader, body="First words")
    client.force_login(other_reader)
    reply_page = reverse("comments:reply", args=[comment.pk])
    assert "First words" in client.get(article.get_absolute_url()).content.decode()
    assert "First words" in client.get(reply_page).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_edit(comment=comment, editor=reader, body="Second thoughts")
    for response in (
        client.get(article.get_absolute_url()),
        client.get(reply_page),
        Client().get(article.get_absolute_url()),
    ):
        html = response.content.decode()
        assert "Second thoughts" in html
        assert "First words" not in html
