"""Journalists in the thread: Author and Staff badges (server-rendered, in the cached comment
fragment, at no extra query), the staff-replies and editors'-picks views, and the e-mails a
reader gets when staff reply or their comment is picked (with one-click unsubscribe per kind)."""

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from articles.services import article_set_authors
from comments import services
from comments.models import Comment
from comments.notifications import KIND_PICK, KIND_STAFF_REPLY, unsubscribe_token
from tests.comments import test_queries
from tests.comments.test_queries import ANONYMOUS, SIGNED_IN, sql_for_page
from tests.factories import AuthorFactory, UserFactory

pytestmark = pytest.mark.django_db
discussion = test_queries.discussion  # the fixture the article page's query guards use

AUTHOR_BADGE = '<span class="badge badge--author">Author</span>'
STAFF_BADGE = '<span class="badge badge--staff">Staff</span>'


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def journalist(article):
    author = AuthorFactory(name="Kenji Sato", user__display_name="Kenji Sato")
    article_set_authors(article=article, authors=[author])
    article.refresh_from_db()
    return author.user


@pytest.fixture
def desk(db):
    return UserFactory(display_name="Night desk", is_staff=True)


def post(article, author, body, **kwargs):
    return services.comment_create(article=article, author=author, body=body, **kwargs)


def card_of(html: str, comment) -> str:
    """The markup of one comment's card (up to its replies)."""
    start = html.index(f'id="{comment.anchor}"')
    end = html.find("<div data-reply-slot>", start)
    return html[start:end]


def anonymous_page(url: str) -> str:
    return Client().get(url).content.decode()


def listing(response_or_html) -> str:
    """The discussion's part of a page (the structured data in the head names comments too)."""
    html = getattr(response_or_html, "content", response_or_html)
    html = html.decode() if isinstance(html, bytes) else html
    return html[html.index('id="comments"') :]


# --- badges ------------------------------------------------------------------------------------


def test_author_and_staff_badges(client, rules, article, reader, journalist, desk):
    question = post(article, reader, "Who decided?")
    by_author = post(article, journalist, "The port authority.", parent=question)
    by_desk = post(article, desk, "We have asked them.", parent=question)
    for signed_in in (False, True):
        if signed_in:
            client.force_login(reader)
        html = client.get(article.get_absolute_url()).content.decode()
        assert AUTHOR_BADGE in card_of(html, by_author)
        assert STAFF_BADGE not in card_of(html, by_author)
        assert STAFF_BADGE in card_of(html, by_desk)
        assert AUTHOR_BADGE not in card_of(html, by_desk)
        reader_card = card_of(html, question)
        assert "badge--author" not in reader_card
        assert "badge--staff" not in reader_card


def test_the_author_of_another_story_is_staff_here(client, rules, reader, journalist):
    from tests.factories import ArticleFactory

    other = ArticleFactory()
    comment = post(other, journalist, "Not my story.")
    html = client.get(other.get_absolute_url()).content.decode()
    assert STAFF_BADGE in card_of(html, comment)


def test_badges_follow_byline_changes_on_cached_pages(
    rules, article, desk, django_capture_on_commit_callbacks
):
    comment = post(article, desk, "Desk note.")
    url = article.get_absolute_url()
    assert STAFF_BADGE in card_of(anonymous_page(url), comment)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        author = AuthorFactory(user=desk, name="Night Desk", slug="night-desk")
        article_set_authors(article=article, authors=[author])
    html = anonymous_page(url)
    assert AUTHOR_BADGE in card_of(html, comment)
    assert 'href="/authors/night-desk/"' in html  # and the byline itself
    with django_capture_on_commit_callbacks(execute=True):
        article_set_authors(article=article, authors=[])
    assert STAFF_BADGE in card_of(anonymous_page(url), comment)


def test_deleted_staff_comment_shows_no_badge(client, rules, article, desk):
    comment = post(article, desk, "Oops.")
    post(article, UserFactory(), "What was that?", parent=comment)  # keeps its place
    services.comment_delete(comment=comment, user=desk)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "badge--staff" not in card_of(html, comment)


@pytest.mark.parametrize("signed_in", [False, True])
def test_badges_and_bylines_cost_no_query(
    client, discussion, article, reader, journalist, desk, page_queries, signed_in
):
    """Badges read the article's stored bylines and the comment's already joined author: no
    query per comment (the N+1 of asking each author's groups) and none per page."""
    threads = Comment.objects.filter(article=article)
    for number in range(5):
        post(article, journalist if number % 2 else desk, f"Staff note {number}")
    if signed_in:
        client.force_login(reader)
    url = discussion(50, client)
    assert threads.filter(author__is_staff=True).count() == 5
    sql = sql_for_page(client, url, page_queries)
    assert len(sql) == (SIGNED_IN if signed_in else ANONYMOUS), "\n".join(sql)
    html = client.get(url).content.decode()
    assert html.count(AUTHOR_BADGE) == 2
    assert html.count(STAFF_BADGE) == 3


@pytest.mark.parametrize(("view", "expected"), [("staff", ANONYMOUS), ("picks", ANONYMOUS - 1)])
def test_views_cost_what_the_whole_discussion_costs(
    client, discussion, article, desk, moderator, page_queries, view, expected
):
    """The staff view is the discussion's two queries with a filter; the picks view needs no
    replies query. Neither grows with the discussion (no query per thread or per pick)."""
    for number in range(3):
        comment = post(article, desk, f"Staff note {number}")
        services.comment_set_pinned(comment=comment, pinned=True, moderator=moderator)
    url = discussion(500, client)
    sql = sql_for_page(client, f"{url}?view={view}", page_queries)
    assert len(sql) == expected, "\n".join(sql)


# --- views -------------------------------------------------------------------------------------


@pytest.fixture
def threads(rules, article, reader, other_reader, journalist, moderator):
    quiet = post(article, reader, "Nobody answered me.")
    answered = post(article, other_reader, "Did the ferry run?")
    answer = post(article, journalist, "It did, at noon.", parent=answered)
    own = post(article, journalist, "Update from the harbour.")
    picked = post(article, other_reader, "Worth reading.", parent=quiet)
    services.comment_set_pinned(comment=picked, pinned=True, moderator=moderator)
    return {"quiet": quiet, "answered": answered, "answer": answer, "own": own, "picked": picked}


def test_staff_view_lists_threads_where_staff_spoke(client, article, threads):
    response = client.get(article.get_absolute_url(), {"view": "staff"})
    html = listing(response)
    listed = [c.pk for c in response.context["comment_threads"]]
    assert set(listed) == {threads["answered"].pk, threads["own"].pk}
    assert "It did, at noon." in html
    assert "Nobody answered me." not in html
    assert 'href="?view=staff#comments" aria-current="page"' in html


def test_picks_view_lists_the_picked_comments_alone(client, article, threads):
    response = client.get(article.get_absolute_url(), {"view": "picks"})
    html = listing(response)
    assert [c.pk for c in response.context["comment_threads"]] == [threads["picked"].pk]
    assert "Worth reading." in html
    assert "Nobody answered me." not in html
    assert "Update from the harbour." not in html
    assert '<span class="badge badge--pick">Editor\u2019s pick</span>' in html


def test_every_view_is_a_plain_link(client, article, threads):
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a href="{article.get_absolute_url()}#comments" aria-current="page">' in html
    assert '<a href="?view=staff#comments">Staff replies</a>' in html
    assert '<a href="?view=picks#comments">Editors\u2019 picks</a>' in html


def test_empty_views_say_so(client, rules, article):
    assert (
        "No replies from the newsroom yet."
        in client.get(article.get_absolute_url(), {"view": "staff"}).content.decode()
    )
    assert (
        "No editors\u2019 picks yet."
        in client.get(article.get_absolute_url(), {"view": "picks"}).content.decode()
    )


def test_views_are_paginated_and_keep_their_view(client, rules, article, desk, monkeypatch):
    monkeypatch.setattr("comments.discussion.COMMENTS_PER_PAGE", 2)
    for number in range(3):
        post(article, desk, f"Desk {number}")
    post(article, UserFactory(), "A reader")
    first = client.get(article.get_absolute_url(), {"view": "staff", "sort": "oldest"})
    html = first.content.decode()
    assert first.context["comment_page"].paginator.count == 3
    assert 'href="?view=staff&amp;sort=oldest&amp;page=2#comments" rel="next"' in html
    assert 'href="?view=staff&amp;sort=newest#comments"' in html
    second = client.get(
        article.get_absolute_url(), {"view": "staff", "sort": "oldest", "page": "2"}
    )
    assert [c.body for c in second.context["comment_threads"]] == ["Desk 2"]
    past = client.get(article.get_absolute_url(), {"view": "staff", "page": "9"})
    assert past.status_code == 302
    assert past["Location"].startswith(f"{article.get_absolute_url()}?view=staff&page=2")


def test_each_view_is_cached_apart_and_renewed_by_a_pick(
    article, threads, moderator, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    picks = listing(anonymous_page(f"{url}?view=picks"))
    assert "Nobody answered me." not in picks
    assert Client().get(f"{url}?view=picks")["X-Page-Cache"] == "hit"
    assert "Nobody answered me." in anonymous_page(url)  # a different page, not the picks
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_set_pinned(comment=threads["quiet"], pinned=True, moderator=moderator)
    assert "Nobody answered me." in listing(anonymous_page(f"{url}?view=picks"))


def test_unknown_view_is_the_whole_discussion(client, article, threads):
    response = client.get(article.get_absolute_url(), {"view": "<script>"})
    assert len(response.context["comment_threads"]) == 3
    assert response.context["comment_view"] == ""


# --- e-mails ----------------------------------------------------------------------------------


def test_staff_reply_sends_its_own_mail(rules, article, reader, desk, run_tasks):
    question = post(article, reader, "Who decided?")
    run_tasks()
    post(article, desk, "The port authority did.", parent=question)
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reader.email]
    assert message.subject == "The newsroom replied to your comment on " + article.title
    assert "Night desk, from the newsite newsroom, replied" in message.body
    assert "The port authority did." in message.body
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # One click (RFC 8058: a POST without cookies) turns off this kind only.
    assert Client().post(urlsplit(link).path).status_code == 200
    reader.refresh_from_db()
    assert reader.staff_reply_mail == "off"
    assert reader.reply_mail == "immediately"
    assert reader.notify_on_pick


def test_staff_reply_mail_obeys_its_own_switch(
    rules, article, reader, other_reader, desk, run_tasks
):
    User.objects.filter(pk=reader.pk).update(staff_reply_mail="off")
    question = Comment.objects.select_related("author").get(
        pk=post(article, reader, "Who decided?").pk
    )
    post(article, desk, "Staff answer.", parent=question)
    run_tasks()
    assert mail.outbox == []
    post(article, other_reader, "A reader answer.", parent=question)
    run_tasks()
    assert [m.subject for m in mail.outbox] == [f"Grace replied to your comment on {article.title}"]


def test_a_pick_mails_its_author_once(rules, article, reader, moderator, run_tasks):
    comment = post(article, reader, "A fine point.")
    run_tasks()
    services.comment_set_pinned(comment=comment, pinned=True, moderator=moderator)
    assert mail.outbox == []  # only once the pick commits, from the worker
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reader.email]
    assert "is an editors' pick" in message.subject
    assert "A fine point." in message.body
    assert "/comments/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    services.comment_set_pinned(comment=comment, pinned=False, moderator=moderator)
    services.comment_set_pinned(comment=comment, pinned=True, moderator=moderator)
    run_tasks()
    assert len(mail.outbox) == 1


def test_no_pick_mail_when_opted_out_unpicked_or_staff(
    rules, article, reader, desk, moderator, run_tasks
):
    User.objects.filter(pk=reader.pk).update(notify_on_pick=False)
    services.comment_set_pinned(
        comment=post(article, reader, "Mine."), pinned=True, moderator=moderator
    )
    services.comment_set_pinned(
        comment=post(article, desk, "Staff's own."), pinned=True, moderator=moderator
    )
    other = post(article, UserFactory(), "Picked, then not.")
    services.comment_set_pinned(comment=other, pinned=True, moderator=moderator)
    services.comment_set_pinned(comment=other, pinned=False, moderator=moderator)
    run_tasks()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("kind", "field", "words"),
    [
        (KIND_STAFF_REPLY, "staff_reply_mail", "when the newsroom replies"),
        (KIND_PICK, "notify_on_pick", "becomes an editors\u2019 pick"),
    ],
)
def test_one_click_unsubscribe_per_kind(client, reader, kind, field, words):
    url = reverse(
        "comments:unsubscribe", kwargs={"token": unsubscribe_token(user_id=reader.pk, kind=kind)}
    )
    page = client.get(url).content.decode()
    assert words in page
    on = getattr(User.objects.get(pk=reader.pk), field)
    assert on not in (False, "off")  # a GET (a link scanner) changes nothing
    done = client.post(url).content.decode()
    assert "You are unsubscribed" in done
    assert words in done
    assert getattr(User.objects.get(pk=reader.pk), field) in (False, "off")


# --- the reader's settings ----------------------------------------------------------------------


def test_profile_shows_and_saves_the_new_settings(client, reader):
    client.force_login(reader)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Email me when the newsroom replies to my comment" in html
    assert "Email me when my comment becomes an editors\u2019 pick" in html
    response = client.post(
        reverse("accounts:profile"),
        {
            "display_name": "Ada",
            "reply_mail": "immediately",
            "notify_on_pick": "on",
            "staff_reply_mail": "off",
            "followed_mail": "weekly",
        },
    )
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.reply_mail == "immediately"
    assert reader.notify_on_pick
    assert reader.staff_reply_mail == "off"
    assert reader.followed_mail == "weekly"
