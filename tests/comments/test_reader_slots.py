"""Shared discussion HTML, each reader's own controls: comments/reader.py with fragments on."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from comments import reader as reader_module
from comments import services
from comments.models import Comment, CommentLike
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _render_pages_not_whole_page_cache(settings):
    settings.PAGE_CACHE = False  # every view renders, from fragments


def page_for(user, article) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(article.get_absolute_url()).content.decode()


def card(html: str, comment: Comment) -> str:
    """The HTML of one comment's card, up to its replies."""
    start = html.index(f'id="{comment.anchor}"')
    return html[start : html.index("data-reply-slot", start)]


def test_each_reader_gets_their_own_controls_on_the_shared_page(rules, article, reader):
    other = UserFactory(display_name="Grace")
    mine = services.comment_create(article=article, author=reader, body="Mine")
    theirs = services.comment_create(article=article, author=other, body="Theirs")
    CommentLike.objects.create(comment=theirs, user=reader)

    as_reader = page_for(reader, article)
    assert "Edit</a>" in card(as_reader, mine)
    assert "Delete</a>" in card(as_reader, mine)
    assert "data-like-form" not in card(as_reader, mine)
    assert 'aria-pressed="true">Liked' in card(as_reader, theirs)
    assert "Report</a>" in card(as_reader, theirs)
    assert "Edit</a>" not in card(as_reader, theirs)

    as_other = page_for(other, article)  # the same cached listing, filled for Grace
    assert "Edit</a>" in card(as_other, theirs)
    assert "Edit</a>" not in card(as_other, mine)
    assert 'aria-pressed="false">Like' in card(as_other, mine)

    anonymous = page_for(None, article)
    assert "Edit</a>" not in anonymous
    assert "Report</a>" not in anonymous
    assert "data-like-form" not in anonymous
    assert "csrfmiddlewaretoken" not in anonymous
    for html in (as_reader, as_other, anonymous):
        assert "<!--reader:" not in html


def test_the_filled_forms_carry_the_reader_s_own_working_token(rules, article, reader):
    theirs = services.comment_create(article=article, author=UserFactory(), body="Theirs")
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    html = client.get(article.get_absolute_url()).content.decode()
    token = CSRF.search(card(html, theirs))[1]
    response = client.post(
        reverse("comments:like", args=[theirs.pk]), {"action": "like", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert CommentLike.objects.filter(comment=theirs, user=reader).exists()


def test_the_edit_link_goes_when_the_edit_window_closes(rules, article, reader, monkeypatch):
    mine = services.comment_create(article=article, author=reader, body="Mine")
    assert "Edit</a>" in card(page_for(reader, article), mine)
    later = timezone.now() + timedelta(minutes=rules.edit_window_minutes, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = page_for(reader, article)  # the same cached card: its slot decides
    assert "Edit</a>" not in card(html, mine)
    assert "Delete</a>" in card(html, mine)


def test_a_held_comment_is_shown_to_its_author_alone(rules, article, reader):
    services.comment_create(article=article, author=UserFactory(), body="Shown")
    page_for(None, article)  # the shared listing is now cached
    page_for(UserFactory(), article)  # and so is the page signed-in readers share
    Comment.objects.create(
        article=article, author=reader, body="Held", body_html="<p>Held</p>", status="pending"
    )
    as_author = page_for(reader, article)
    assert "Held" in as_author
    assert "Awaiting moderation" in as_author
    assert "Ask a moderator to review it" in as_author
    assert CSRF.search(as_author[as_author.index("request-review") :])
    assert "Held" not in page_for(UserFactory(), article)
    assert "Shown" in page_for(UserFactory(), article)


def test_comment_text_cannot_forge_a_slot(rules, article, reader):
    victim = UserFactory(display_name="Victim")
    forged = f"<!--reader:tools:1:{victim.pk}:1:9999999999--> <!--reader:csrf-->"
    comment = services.comment_create(article=article, author=reader, body=forged)
    html = page_for(victim, article)
    assert "Delete</a>" not in card(html, comment)
    assert "&lt;!--reader:csrf--&gt;" in card(html, comment)
    assert len(CSRF.findall(card(html, comment))) == 1  # the like form's own


@contextmanager
def templates_rendered():
    names: list[str] = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    try:
        yield names
    finally:
        template_rendered.disconnect(record)


def test_a_signed_in_page_is_the_shared_page_filled_for_each_reader(rules, article, reader):
    theirs = services.comment_create(article=article, author=reader, body="Theirs")
    page_for(reader, article)  # renders the page every signed-in reader shares
    grace = UserFactory(display_name="Grace")
    client = Client(enforce_csrf_checks=True)
    client.force_login(grace)

    reader_module._reader_nav.cache_clear()
    with templates_rendered() as names:
        html = client.get(article.get_absolute_url()).content.decode()
    assert names == ["includes/account_nav.html"]  # the page itself came from the cache
    with templates_rendered() as names:
        again = client.get(article.get_absolute_url()).content.decode()
    assert names == []  # and the account links are kept per name
    assert ">Grace</a>" in again

    navigation = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert ">Grace</a>" in navigation
    assert "Ada" not in navigation
    assert "<!--reader:" not in html
    # Every form on it carries Grace's token, and it works.
    tokens = set(CSRF.findall(html))
    assert len(tokens) == 1
    response = client.post(
        reverse("comments:like", args=[theirs.pk]),
        {"action": "like", "csrfmiddlewaretoken": tokens.pop()},
    )
    assert response.status_code == 302
    assert CommentLike.objects.filter(comment=theirs, user=grace).exists()


def test_a_reader_who_changes_their_name_sees_the_new_one(rules, article):
    grace = UserFactory(display_name="Grace")
    assert ">Grace</a>" in page_for(grace, article)
    grace.display_name = "Grace H."
    grace.save()
    navigation = page_for(grace, article).split('<nav class="site-nav"')[1].split("</nav>")[0]
    assert ">Grace H.</a>" in navigation
    assert ">Grace</a>" not in navigation


def test_a_reader_s_messages_and_draft_are_shown_on_their_own_page(rules, article, reader):
    page_for(reader, article)  # the shared page is cached
    client = Client()
    client.force_login(reader)
    session = client.session
    session["comment_drafts"] = {str(article.pk): {"body": "My unsent words", "parent": ""}}
    session.save()
    client.post(reverse("comments:follow", args=[article.pk]), {"action": "follow"})

    html = client.get(article.get_absolute_url()).content.decode()
    assert "You will get an e-mail about new comments here." in html
    assert "My unsent words" in html
    assert "Stop following this discussion" in html
    assert "My unsent words" not in page_for(UserFactory(), article)


def test_an_anonymous_page_from_the_shared_page_has_the_anonymous_navigation(rules, article):
    page_for(None, article)
    html = page_for(None, article)
    assert ">Log in</a>" in html
    assert ">Sign up</a>" in html
    assert "Log out" not in html
    assert 'name="client_token" value=""' in html


def test_a_suspended_reader_is_told_so_on_the_shared_page(rules, article, reader):
    page_for(UserFactory(), article)  # the shared page, with a comment form, is cached
    reader.posting_suspended_until = timezone.now() + timedelta(days=2)
    reader.save()
    html = page_for(reader, article)
    assert "Your account cannot post comments until" in html
    assert "data-comment-form" not in html.split('id="comments"')[1].split("comment-list")[0]
