"""Per-story discussion settings (articles.Article): pre-moderation, link hold, Q&A mode, a
closing time with its message, and a prompt. Enforced by comments.services, shown on the page
without JavaScript, right on cached anonymous pages, and at no extra query."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.services import article_set_discussion
from comments import screening, services, trust
from comments.models import Comment, ModerationAction
from newsite import pagecache
from tests.comments import test_queries
from tests.comments.test_queries import ANONYMOUS, SIGNED_IN, sql_for_page
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
discussion = test_queries.discussion  # the fixture the article page's query guards use

LINK = "Read https://example.com first."


def post(article, author, body="A thoughtful remark.", **kwargs):
    return services.comment_create(article=article, author=author, body=body, **kwargs)


@pytest.fixture
def staff(db):
    return UserFactory(display_name="Desk", is_staff=True)


def anonymous_page(url: str) -> str:
    return Client().get(url).content.decode()


# --- pre-moderation ---------------------------------------------------------------------------


def test_premoderated_story_holds_every_reader_comment_with_why(rules, reader, moderator):
    article = ArticleFactory(is_premoderated=True)
    comment = post(article, reader)
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason == screening.PREMODERATED_REASON
    assert ModerationAction.objects.get(comment=comment).action == "auto_held"
    assert Article.objects.get(pk=article.pk).comment_count == 0
    services.comment_set_status(comment=comment, status="published", moderator=moderator)
    assert Article.objects.get(pk=article.pk).comment_count == 1


def test_premoderation_applies_to_replies_but_not_to_staff(rules, reader, other_reader, staff):
    article = ArticleFactory(is_premoderated=True)
    answer = post(article, staff, "From the desk.")
    assert answer.status == Comment.Status.PUBLISHED
    reply = post(article, other_reader, "A reply.", parent=answer)
    assert reply.status == Comment.Status.PENDING


def test_other_stories_are_not_premoderated(rules, article, reader):
    assert post(article, reader).status == Comment.Status.PUBLISHED


# --- link hold -------------------------------------------------------------------------------


def test_link_hold_holds_reader_comments_with_links_only(rules, reader, staff):
    article = ArticleFactory(is_link_hold=True)
    held = post(article, reader, LINK)
    assert held.status == Comment.Status.PENDING
    assert held.moderation_reason == screening.LINK_HELD_REASON
    assert post(article, reader, "No link here.").status == Comment.Status.PUBLISHED
    assert post(article, staff, LINK).status == Comment.Status.PUBLISHED


def test_link_hold_sees_markdown_links(rules, reader):
    article = ArticleFactory(is_link_hold=True)
    assert post(article, reader, "[see](http:example.com)").status == Comment.Status.PENDING


def test_trusted_readers_and_staff_skip_the_link_hold(rules, reader, staff, moderator):
    article = ArticleFactory(is_link_hold=True)
    assert post(article, staff, LINK).status == Comment.Status.PUBLISHED
    trust.trust_set(user=reader, level="trusted", moderator=moderator, note="Long-time reader")
    assert post(article, reader, LINK).status == Comment.Status.PUBLISHED


def test_editing_a_link_in_on_a_link_hold_story_holds_the_comment(rules, reader):
    article = ArticleFactory(is_link_hold=True)
    comment = post(article, reader, "No link yet.")
    comment = Comment.objects.select_related("article").get(pk=comment.pk)
    services.comment_edit(comment=comment, editor=reader, body=LINK)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason == screening.LINK_HELD_REASON


# --- closing time ------------------------------------------------------------------------------


def test_comments_close_at_the_set_time(rules, reader):
    article = ArticleFactory(comments_close_at=timezone.now() + timedelta(minutes=5))
    assert services.comments_open(article)
    assert post(article, reader).pk
    with mock.patch("django.utils.timezone.now", return_value=article.comments_close_at):
        assert not services.comments_open(article)
        with pytest.raises(services.CommentsClosed):
            post(article, reader, "Too late.")


def test_closed_message_shows_in_place_of_the_box(client, rules, reader):
    article = ArticleFactory(
        comments_close_at=timezone.now() - timedelta(minutes=1),
        comments_closed_message="We have closed comments: the inquest is under way.",
    )
    for signed_in in (False, True):
        if signed_in:
            client.force_login(reader)
        html = client.get(article.get_absolute_url()).content.decode()
        assert "We have closed comments: the inquest is under way." in html
        assert 'class="comment-form"' not in html


def test_the_closing_time_is_announced_while_open(client, rules):
    close = timezone.now() + timedelta(days=2)
    article = ArticleFactory(comments_close_at=close)
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'datetime="{timezone.localtime(close):%Y-%m-%dT%H:%M:%S%z}"' in html
    assert "Comments close on" in html
    assert 'class="comment-form"' in html


def test_a_kept_anonymous_page_closes_on_time(rules, django_capture_on_commit_callbacks):
    """The page cache wakes at a story's closing time, as at a scheduled publication: a page
    kept before then no longer offers the comment box."""
    close = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        article = ArticleFactory(comments_close_at=close, comments_closed_message="Closed now.")
    url = article.get_absolute_url()
    first = Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    assert "Closed now." not in first.content.decode()
    later = close + timedelta(seconds=1)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch.object(pagecache.time, "time", return_value=later.timestamp()),
    ):
        response = Client().get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Closed now." in response.content.decode()
    assert time.time() < close.timestamp()  # the clock was only pretended


def test_next_wake_up_is_the_earlier_of_publication_and_closing(rules):
    now = timezone.now()
    ArticleFactory(published_at=now + timedelta(hours=3))
    ArticleFactory(comments_close_at=now + timedelta(hours=2))
    ArticleFactory(status=Article.Status.DRAFT, comments_close_at=now + timedelta(hours=1))
    pagecache.remember_next_publication()
    due = pagecache.cache.get(pagecache.NEXT_PUBLICATION)
    assert due == pytest.approx((now + timedelta(hours=2)).timestamp())


# --- prompt and notices --------------------------------------------------------------------------


def test_prompt_and_rules_show_without_javascript(client, rules, reader):
    article = ArticleFactory(
        is_premoderated=True, comment_prompt="We want to hear from readers in Japan…"
    )
    for signed_in in (False, True):
        if signed_in:
            client.force_login(reader)
        html = client.get(article.get_absolute_url()).content.decode()
        assert "We want to hear from readers in Japan…" in html
        assert "Comments on this story are reviewed before they appear." in html
        assert html.index("readers in Japan") < html.index('class="comment-form"')


def test_plain_stories_show_no_rules(client, rules, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert "discussion__rules" not in html
    assert "discussion__prompt" not in html


def test_held_comment_shows_its_author_why(client, rules, reader):
    article = ArticleFactory(is_premoderated=True)
    client.force_login(reader)
    response = client.post(
        reverse("comments:create", args=[article.pk]), {"body": "Held words"}, follow=True
    )
    html = response.content.decode()
    assert "Held for review" in html
    assert "Comments on this story are reviewed before they appear." in html
    assert "Held words" in html
    assert "Held words" not in anonymous_page(article.get_absolute_url())


# --- Q&A mode ----------------------------------------------------------------------------------


@pytest.fixture
def qa(rules, reader, other_reader, staff):
    """A Q&A: an answered question (with a reader's old reply from before Q&A mode) and an
    unanswered one."""
    article = ArticleFactory(is_qa=False)
    answered = post(article, reader, "When do the ports reopen?")
    post(article, other_reader, "An aside from a reader.", parent=answered)
    post(article, staff, "On Monday, says the port authority.", parent=answered)
    waiting = post(article, other_reader, "Is the water safe?")
    article_set_discussion(article=article, is_qa=True)
    return article, answered, waiting


def test_qa_readers_cannot_reply_but_staff_answer(qa, reader, staff):
    article, _, waiting = qa
    with pytest.raises(services.QuestionsOnly):
        post(article, reader, "Me too!", parent=waiting)
    assert post(article, staff, "Yes.", parent=waiting).is_published
    assert post(article, reader, "A new question?").is_published


def test_qa_reply_page_offers_readers_no_form(client, qa, reader, staff):
    _, _, waiting = qa
    client.force_login(reader)
    html = client.get(reverse("comments:reply", args=[waiting.pk])).content.decode()
    assert "Ask your own question" in html
    assert 'class="comment-form"' not in html
    client.force_login(staff)
    html = client.get(reverse("comments:reply", args=[waiting.pk])).content.decode()
    assert 'class="comment-form"' in html


def test_qa_anonymous_readers_see_answered_questions_and_staff_answers_only(qa):
    article, _, _ = qa
    for _ in range(2):  # rendered, then from the page cache
        html = anonymous_page(article.get_absolute_url())
        assert "When do the ports reopen?" in html
        assert "On Monday, says the port authority." in html
        assert "An aside from a reader." not in html
        assert "Is the water safe?" not in html
        assert "data-reply-link" not in html


def test_qa_unanswered_question_is_seen_by_its_author_and_staff(client, qa, other_reader, staff):
    article, _, _ = qa
    client.force_login(other_reader)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Is the water safe?" in html
    assert "An aside from a reader." in html  # their own reply stays visible to them
    staff_client = Client()
    staff_client.force_login(staff)
    html = staff_client.get(article.get_absolute_url()).content.decode()
    assert "Is the water safe?" in html
    assert "An aside from a reader." in html
    assert "data-reply-link" in html


def test_qa_unanswered_questions_stay_out_of_structured_data_and_the_feed(client, qa):
    article, _, _ = qa
    html = anonymous_page(article.get_absolute_url())
    assert "Is the water safe?" not in html
    assert "An aside from a reader." not in html
    assert '"text": "When do the ports reopen?"' in html
    feed = client.get(reverse("discovery:comment-feed-rss", args=[article.slug])).content.decode()
    assert "When do the ports reopen?" in feed
    assert "On Monday" in feed
    assert "Is the water safe?" not in feed
    assert "An aside from a reader." not in feed


def test_qa_a_question_appears_to_everyone_once_answered(
    qa, staff, django_capture_on_commit_callbacks
):
    article, _, waiting = qa
    assert "Is the water safe?" not in anonymous_page(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        post(article, staff, "Yes, tested this morning.", parent=waiting)
    html = anonymous_page(article.get_absolute_url())
    assert "Is the water safe?" in html
    assert "Yes, tested this morning." in html


# --- editors set them ------------------------------------------------------------------------


def test_article_set_discussion_validates_and_refuses_other_fields(article):
    article_set_discussion(article=article, is_premoderated=True, comment_prompt="Tell us.")
    article.refresh_from_db()
    assert article.is_premoderated
    assert article.comment_prompt == "Tell us."
    with pytest.raises(ValueError, match="title"):
        article_set_discussion(article=article, title="Sneaky")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        article_set_discussion(article=article, comment_prompt="x" * 301)


def test_admin_bulk_action_sets_settings_on_selected_articles(admin_client):
    first, second, untouched = ArticleFactory(), ArticleFactory(), ArticleFactory()
    second.comment_prompt = "Kept?"
    second.save()
    url = reverse("admin:articles_article_changelist")
    selected = {"action": "set_discussion", ACTION_CHECKBOX_NAME: [first.pk, second.pk]}
    page = admin_client.post(url, selected)
    assert page.status_code == 200
    assert "Change discussion settings" in page.content.decode()
    close = "2030-01-02T09:30"
    done = admin_client.post(
        url,
        {
            **selected,
            "apply": "1",
            "is_premoderated": "on",
            "is_qa": "",
            "is_link_hold": "off",
            "close": "on",
            "comments_close_at": close,
        },
    )
    assert done.status_code == 302
    for article in (first, second):
        article.refresh_from_db()
        assert article.is_premoderated
        assert timezone.localtime(article.comments_close_at).strftime("%Y-%m-%dT%H:%M") == close
    assert second.comment_prompt == "Kept?"  # "change texts" was not ticked
    untouched.refresh_from_db()
    assert not untouched.is_premoderated
    assert untouched.comments_close_at is None


def test_admin_bulk_action_keeps_the_form_on_a_bad_time(admin_client):
    article = ArticleFactory()
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {
            "action": "set_discussion",
            ACTION_CHECKBOX_NAME: [article.pk],
            "apply": "1",
            "close": "on",
            "comments_closed_message": "Typed text stays",
            "change_texts": "on",
        },
    )
    html = response.content.decode()
    assert "Give the time comments close." in html
    assert "Typed text stays" in html
    article.refresh_from_db()
    assert article.comments_closed_message == ""


def test_settings_changes_reach_cached_pages(rules, article, django_capture_on_commit_callbacks):
    url = article.get_absolute_url()
    assert "reviewed before they appear" not in anonymous_page(url)
    with django_capture_on_commit_callbacks(execute=True):
        article_set_discussion(article=article, is_premoderated=True)
    assert "reviewed before they appear" in anonymous_page(url)


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_settings_cost_no_query_on_the_article_page(
    client,
    discussion,
    article,
    reader,
    page_queries,
    signed_in,
):
    article_set_discussion(
        article=article,
        is_premoderated=True,
        is_link_hold=True,
        comment_prompt="Tell us.",
        comments_close_at=timezone.now() + timedelta(days=1),
        comments_closed_message="Closed.",
    )
    if signed_in:
        client.force_login(reader)
    url = discussion(50, client)
    sql = sql_for_page(client, url, page_queries)
    assert len(sql) == (SIGNED_IN if signed_in else ANONYMOUS), "\n".join(sql)
    assert "Tell us." in client.get(url).content.decode()
