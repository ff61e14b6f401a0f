"""The moderation queue: order, columns, bulk decisions, the comment page, authors, rules."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments.models import Comment, ModerationAction, ModerationSettings, WatchedWord
from comments.services import PostingBanned, PostingSuspended, comment_create
from tests.admin.conftest import make_comment, report
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:comments_comment_changelist")


def post_comment_page(client, comment: Comment, data: dict):
    """Post the comment's change page as a browser would, with its inlines' management forms."""
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    page = client.get(url)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.setdefault(f"{formset.prefix}-TOTAL_FORMS", str(len(formset.forms)))
        data.setdefault(f"{formset.prefix}-INITIAL_FORMS", str(formset.initial_form_count()))
    return client.post(url, data)


def _queue(client, query: str = "") -> list[Comment]:
    return list(client.get(QUEUE + query).context["cl"].result_list)


def test_queue_puts_pending_then_reported_then_spam_first(editor_client, article):
    reader = UserFactory()
    old = timezone.now() - datetime.timedelta(days=2)
    fine = make_comment(article, reader, "Fine and recent.")
    spam = make_comment(article, reader, "Buy now", status="spam", created_at=old)
    reported = make_comment(article, reader, "Rude words", created_at=old)
    report(reported)
    pending = make_comment(article, reader, "First post!", status="pending", created_at=old)
    assert _queue(editor_client) == [pending, reported, spam, fine]
    assert _queue(editor_client, "?queue=attention") == [pending, reported, spam]


def test_queue_columns_show_article_author_reports_and_reasons(editor_client, article):
    author = UserFactory(display_name="Troll Tom")
    comment = make_comment(article, author, "You are all wrong " * 10)
    report(comment, reason="abuse")
    report(comment, reason="abuse")
    report(comment, reason="spam")
    html = editor_client.get(QUEUE).content.decode()
    assert "A story worth discussing" in html
    assert f'href="{QUEUE}?author={author.pk}"' in html
    assert "Troll Tom" in html
    assert "Abusive or hateful (2), Spam or advertising" in html
    assert "You are all wrong You are all wrong" in html  # an excerpt, not the whole body
    assert ("You are all wrong " * 10).strip() not in html


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    return len(queries)


def test_queue_queries_do_not_grow_with_comments(editor_client, article):
    """Stops the N+1 of an article, an author and a reports query per listed comment."""
    first = make_comment(article, UserFactory())
    report(first)
    one = _queue_queries(editor_client)
    for _ in range(29):
        other = make_comment(ArticleFactory(), UserFactory(), status="pending")
        report(other)
    assert _queue_queries(editor_client) == one


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("approve", "pending", "published"),
        ("hide", "published", "hidden"),
        ("mark_spam", "pending", "spam"),
        ("remove", "published", "removed"),
    ],
)
def test_bulk_moderation_goes_through_the_service(
    editor_client, editor, article, action, start, end
):
    reader = UserFactory()
    chosen = [make_comment(article, reader, status=start) for _ in range(3)]
    other = make_comment(article, reader, status=start)
    counted_before = Article.objects.get(pk=article.pk).comment_count

    response = editor_client.post(
        QUEUE, {"action": action, "_selected_action": [c.pk for c in chosen]}, follow=True
    )
    assert "3 comments" in response.content.decode()
    for comment in chosen:
        comment.refresh_from_db()
        assert comment.status == end
        logged = comment.moderation_actions.get()
        assert logged.moderator == editor
        assert logged.action == end
    other.refresh_from_db()
    assert other.status == start
    assert not other.moderation_actions.exists()
    delta = 3 if end == "published" else (-3 if start == "published" else 0)
    assert Article.objects.get(pk=article.pk).comment_count == counted_before + delta


def test_approving_shows_the_comment_to_readers(
    editor_client, article, django_capture_on_commit_callbacks
):
    """Readers' cached article page goes stale when a moderator approves a held comment."""
    comment = make_comment(article, UserFactory(), "Held until a human looks.", status="pending")
    url = article.get_absolute_url()
    assert "Held until a human looks." not in Client().get(url).content.decode()
    assert Client().get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})
    assert "Held until a human looks." in Client().get(url).content.decode()


def test_comment_page_decides_through_the_service(editor_client, editor, article):
    comment = make_comment(article, UserFactory(), "Borderline.", status="pending")
    change = reverse("admin:comments_comment_change", args=[comment.pk])
    html = editor_client.get(change).content.decode()
    assert "Borderline." in html
    assert 'name="body"' not in html  # readers' words are not editable here
    response = post_comment_page(
        editor_client, comment, {"new_status": "hidden", "note": "Needs a source."}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "hidden"
    assert comment.moderation_reason == "Needs a source."
    logged = comment.moderation_actions.get()
    assert (logged.moderator, logged.action, logged.note) == (editor, "hidden", "Needs a source.")
    # The history shows on the comment's page.
    history = editor_client.get(change).content.decode()
    assert "Moderation history" in history
    assert "Needs a source." in history


def test_comment_page_shows_the_authors_record(editor_client, article):
    author = UserFactory(display_name="Prolific Pat")
    comment = make_comment(article, author)
    make_comment(article, author, status="spam")
    make_comment(ArticleFactory(), author, status="removed")
    make_comment(article, UserFactory(), "Someone else entirely")
    html = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    html = html.content.decode()
    assert "May post." in html
    assert "All 3 comments" in html
    assert "1 published, 1 removed, 1 spam" in html
    theirs = _queue(editor_client, f"?author={author.pk}")
    assert len(theirs) == 3
    assert {c.author_id for c in theirs} == {author.pk}

    # Their moderation history across all their comments, nobody else's.
    ModerationAction.objects.create(comment=comment, action="hidden", note="Theirs")
    other = make_comment(article, UserFactory())
    ModerationAction.objects.create(comment=other, action="hidden", note="Not theirs")
    log = reverse("admin:comments_moderationaction_changelist") + f"?author={author.pk}"
    assert log in html.replace("&amp;", "&")
    page = editor_client.get(log).content.decode()
    assert "Theirs" in page
    assert "Not theirs" not in page


def test_suspend_author_until_a_date_from_the_comment_page(editor_client, editor, article):
    author = UserFactory()
    comment = make_comment(article, author)
    day = timezone.localdate() + datetime.timedelta(days=10)
    post_comment_page(
        editor_client, comment, {"restrict_author": "suspend", "suspend_until": day.isoformat()}
    )
    author.refresh_from_db()
    assert timezone.localtime(author.posting_suspended_until).date() == day
    assert not author.is_banned
    # By content type too: on PostgreSQL the comment can share the author's id.
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(author), object_id=str(author.pk)
    )
    assert entry.user == editor
    assert "Suspended from posting until" in entry.get_change_message()
    # Enforced by the comments service, not by any form.
    with pytest.raises(PostingSuspended):
        comment_create(article=article, author=author, body="Let me back in")


def test_suspension_date_must_be_in_the_future(editor_client, article):
    author = UserFactory()
    comment = make_comment(article, author)
    today = timezone.localdate().isoformat()
    response = post_comment_page(
        editor_client, comment, {"restrict_author": "suspend", "suspend_until": today}
    )
    assert "Choose a date after today." in response.content.decode()
    author.refresh_from_db()
    assert author.posting_suspended_until is None


def test_ban_authors_bulk_action_and_lift(editor_client, article):
    spammer, other = UserFactory(), UserFactory()
    comments = [make_comment(article, spammer, "Cheap pills") for _ in range(2)]
    make_comment(article, other)
    editor_client.post(
        QUEUE, {"action": "ban_authors", "_selected_action": [c.pk for c in comments]}
    )
    spammer.refresh_from_db()
    other.refresh_from_db()
    assert spammer.is_banned
    assert not other.is_banned
    with pytest.raises(PostingBanned):
        comment_create(article=article, author=spammer, body="More pills")
    assert "(banned)" in editor_client.get(QUEUE).content.decode()

    post_comment_page(editor_client, comments[0], {"restrict_author": "lift"})
    spammer.refresh_from_db()
    assert not spammer.is_banned


def test_staff_cannot_be_banned_from_the_queue(editor_client, moderator, article):
    comment = make_comment(article, moderator)
    response = editor_client.post(
        QUEUE, {"action": "ban_authors", "_selected_action": [comment.pk]}, follow=True
    )
    assert "is staff" in response.content.decode()
    moderator.refresh_from_db()
    assert not moderator.is_banned


def test_pin_action_logs_and_unpin(editor_client, editor, article):
    comment = make_comment(article, UserFactory())
    editor_client.post(QUEUE, {"action": "pin", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.is_pinned
    assert comment.moderation_actions.get().action == ModerationAction.Action.PINNED


def test_dashboard_counts_what_waits_for_both_roles(editor_client, moderator_client, article):
    """What counts as waiting is tested in test_queue_cards.py; both roles see the panel."""
    reader = UserFactory()
    make_comment(article, reader, status="pending")
    make_comment(article, reader, status="pending")
    cards = reverse("admin:comments_comment_cards")
    for client in (editor_client, moderator_client):
        html = client.get(reverse("admin:index")).content.decode()
        assert f'<a href="{cards}?queue=pending"><strong>2</strong>' in html


def test_dashboard_hidden_without_comment_permission(client, db):
    from django.contrib.auth.models import Permission

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_tag"))
    client.force_login(staff)
    assert "newsroom-dashboard" not in client.get(reverse("admin:index")).content.decode()


def test_editor_edits_watched_words_and_rules(editor_client, article):
    editor_client.post(
        reverse("admin:comments_watchedword_add"),
        {"pattern": "  Cheap   PILLS ", "action": "block", "reason": ""},
    )
    assert WatchedWord.objects.get().pattern == "cheap pills"

    rules = ModerationSettings.load()
    changelist = editor_client.get(reverse("admin:comments_moderationsettings_changelist"))
    change = reverse("admin:comments_moderationsettings_change", args=[rules.pk])
    assert changelist["Location"] == change
    data = {
        "first_comment_held": "",
        "report_threshold": 5,
        "max_links": 1,
        "edit_window_minutes": 10,
        "auto_close_after_days": 14,
        "user_rate_limit": 5,
        "ip_rate_limit": 20,
        "rate_limit_window_seconds": 600,
        "trusted_after_comments": 5,
        "rejection_limit": 2,
        "rejection_window_comments": 5,
        "rejection_window_days": 7,
        "scorer_url": "",
        "scorer_secret": "",
        "scorer_threshold": 0.8,
        "scorer_timeout_ms": 1500,
        "scorer_fallback": "publish",
    }
    assert editor_client.post(change, data).status_code == 302
    rules.refresh_from_db()
    assert (rules.first_comment_held, rules.report_threshold, rules.max_links) == (False, 5, 1)
    assert rules.auto_close_after_days == 14
    assert ModerationSettings.objects.count() == 1


def test_moderator_cannot_change_rules(moderator_client):
    assert (
        moderator_client.post(
            reverse("admin:comments_watchedword_add"), {"pattern": "x", "action": "block"}
        ).status_code
        == 403
    )
    assert not WatchedWord.objects.exists()


def test_moderation_log_is_read_only(editor_client, editor, article):
    comment = make_comment(article, UserFactory(), status="pending")
    editor_client.post(QUEUE, {"action": "approve", "_selected_action": [comment.pk]})
    html = editor_client.get(reverse("admin:comments_moderationaction_changelist")).content.decode()
    assert "Published" in html
    assert editor.email in html or str(editor) in html
    action = ModerationAction.objects.get()
    response = editor_client.post(
        reverse("admin:comments_moderationaction_change", args=[action.pk]), {"note": "forged"}
    )
    assert response.status_code == 403
