"""The moderation queue as cards, the one-click decisions, and the dashboard's honest counts."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, ModerationAction
from comments.services import comment_delete, comment_request_review, comment_set_status
from tests.admin.conftest import make_comment, report
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

CARDS = reverse("admin:comments_comment_cards")


def decide(client, comment: Comment, decision: str, follow: bool = False, **extra):
    url = reverse("admin:comments_comment_decide", args=[comment.pk])
    return client.post(url, {"decision": decision, **extra}, follow=follow)


def card_ids(client, query: str = "") -> list[int]:
    return [card[0].pk for card in client.get(CARDS + query).context["cards"]]


def test_card_shows_comment_parent_article_record_and_review_flag(editor_client, article):
    reader = UserFactory(display_name="Pat Reader")
    parent = make_comment(article, UserFactory(display_name="Sam Earlier"), "The **first** word.")
    held = make_comment(article, reader, "I *disagree* entirely.", parent=parent, status="pending")
    comment_request_review(comment=held, author=reader)

    html = editor_client.get(CARDS).content.decode()

    assert f'id="card-{held.pk}"' in html
    assert "I <em>disagree</em> entirely." in html
    assert "In reply to Sam Earlier:" in html
    assert "The <strong>first</strong> word." in html
    assert f'href="{article.get_absolute_url()}#c{held.pk}">A story worth discussing</a>' in html
    assert "Author's record: 0 approved, 0 rejected, not trusted" in html
    assert "Approved comments" in html  # the author's full record
    assert "Review requested" in html
    for decision in ("approve", "hide", "spam", "ban"):
        assert f'name="decision" value="{decision}"' in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.parametrize(
    ("decision", "start", "end"),
    [
        ("approve", "pending", "published"),
        ("hide", "published", "hidden"),
        ("spam", "pending", "spam"),
    ],
)
def test_one_click_decisions_go_through_the_service_and_are_logged(
    moderator_client, moderator, article, decision, start, end
):
    comment = make_comment(article, UserFactory(), status=start)
    if start == "published":
        report(comment)
    response = decide(moderator_client, comment, decision, queue="pending", page="1")
    assert response.status_code == 302
    assert response["Location"] == f"{CARDS}?queue=pending&page=1"
    comment.refresh_from_db()
    assert comment.status == end
    action = comment.moderation_actions.get()
    assert (action.action, action.moderator) == (end, moderator)
    assert comment.pk not in card_ids(moderator_client)


def test_ban_bans_the_author_removes_the_comment_and_logs_both(
    moderator_client, moderator, article
):
    reader = UserFactory()
    comment = make_comment(article, reader, status="pending")
    decide(moderator_client, comment, "ban")
    reader.refresh_from_db()
    comment.refresh_from_db()
    assert reader.is_banned
    assert comment.status == "removed"
    assert comment.moderation_actions.get().moderator == moderator
    assert LogEntry.objects.get(object_id=str(reader.pk)).change_message == "Banned from posting."


def test_staff_authors_cannot_be_banned_from_a_card(moderator_client, editor, article):
    comment = make_comment(article, editor, status="pending")
    assert (
        'value="ban"'
        not in moderator_client.get(CARDS).content.decode().split(f'id="card-{comment.pk}"')[1]
    )
    response = decide(moderator_client, comment, "ban", follow=True)
    editor.refresh_from_db()
    assert not editor.is_banned
    assert "is staff" in response.content.decode()


def test_decisions_need_post_the_change_permission_and_a_known_decision(
    client, moderator_client, article
):
    comment = make_comment(article, UserFactory(), status="pending")
    url = reverse("admin:comments_comment_decide", args=[comment.pk])
    assert moderator_client.get(url).status_code == 405
    decide(moderator_client, comment, "publish-everything")
    comment.refresh_from_db()
    assert comment.status == "pending"
    assert not comment.moderation_actions.exists()

    viewer = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    assert client.get(CARDS).status_code == 403
    assert decide(client, comment, "approve").status_code == 403
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_editor_and_moderator_reach_the_cards_but_other_staff_do_not(
    client, editor_client, moderator_client
):
    assert editor_client.get(CARDS).status_code == 200
    assert moderator_client.get(CARDS).status_code == 200
    client.force_login(UserFactory(is_staff=True))
    assert client.get(CARDS).status_code == 403
    client.logout()
    assert client.get(CARDS).status_code == 302  # to the login page


def test_queue_is_paged_and_tabs_filter(editor_client, article):
    held = [make_comment(article, UserFactory(), status="pending") for _ in range(12)]
    spam = make_comment(article, UserFactory(), status="spam")
    first, second = card_ids(editor_client), card_ids(editor_client, "?page=2")
    assert len(first) == 10
    assert set(first) | set(second) == {c.pk for c in held} | {spam.pk}
    assert card_ids(editor_client, "?queue=spam") == [spam.pk]
    assert editor_client.get(CARDS + "?page=999").status_code == 200  # the last page, not a 404
    assert editor_client.get(CARDS + "?queue=<script>").status_code == 200


def _card_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CARDS).status_code == 200
    return len(queries)


def test_card_queries_do_not_grow_with_comments(editor_client, article):
    """Stops the N+1 of an article, a parent and an author's record per card: records are
    read once per author, and a page holds at most ten cards."""
    authors = [UserFactory() for _ in range(3)]
    parent = make_comment(article, authors[0])
    for author in authors:
        report(make_comment(ArticleFactory(), author, parent=None))
    make_comment(article, authors[1], parent=parent, status="pending")
    few = _card_queries(editor_client)
    for _ in range(10):
        for author in authors:
            make_comment(ArticleFactory(), author, parent=parent, status="pending")
    assert _card_queries(editor_client) == few


def test_dashboard_counts_only_work_still_to_do(editor_client, moderator, article):
    reader = UserFactory()
    waiting = make_comment(article, reader, status="pending")
    make_comment(article, reader, status="pending")
    report(make_comment(article, reader))
    make_comment(article, reader, status="spam")  # caught by screening: still to confirm
    make_comment(article, reader)  # published, nothing to do

    # Decided by a moderator: leaves the queue.
    decided = make_comment(article, reader, status="pending")
    comment_set_status(comment=decided, status="hidden", moderator=moderator)
    confirmed_spam = make_comment(article, reader, status="spam")
    comment_set_status(comment=confirmed_spam, status="spam", moderator=moderator)
    dismissed = make_comment(article, reader)
    report(dismissed)
    comment_set_status(comment=dismissed, status="published", moderator=moderator)
    # Deleted by its author: leaves the queue.
    deleted = make_comment(article, reader, status="pending")
    comment_delete(comment=deleted, user=reader)

    html = editor_client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{CARDS}?queue=pending"><strong>2</strong>' in html
    assert f'<a href="{CARDS}?queue=reported"><strong>1</strong>' in html
    assert f'<a href="{CARDS}?queue=spam"><strong>1</strong>' in html
    assert f'<a href="{CARDS}?queue=review"><strong>0</strong>' in html
    assert "4 comments to decide" in html
    assert waiting.pk in card_ids(editor_client)
    assert not {decided.pk, confirmed_spam.pk, dismissed.pk, deleted.pk} & set(
        card_ids(editor_client)
    )


def test_a_new_report_or_review_request_after_a_decision_puts_it_back(
    editor_client, moderator, article
):
    reader = UserFactory()
    comment = make_comment(article, reader)
    report(comment)
    comment_set_status(comment=comment, status="published", moderator=moderator)
    assert comment.pk not in card_ids(editor_client)
    later = report(comment)
    later.created_at = timezone.now() + datetime.timedelta(seconds=1)
    later.save()
    assert comment.pk in card_ids(editor_client)

    hidden = make_comment(article, reader, status="pending")
    comment_set_status(comment=hidden, status="hidden", moderator=moderator)
    ModerationAction.objects.filter(comment=hidden).update(
        created_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert hidden.pk not in card_ids(editor_client)
    comment_request_review(comment=hidden, author=reader)
    assert hidden.pk in card_ids(editor_client, "?queue=review")
    html = editor_client.get(reverse("admin:index")).content.decode()
    assert f'<a href="{CARDS}?queue=review"><strong>1</strong>' in html


def test_admin_is_branded_and_comment_titles_name_article_and_author(editor_client, article):
    comment = make_comment(article, UserFactory(display_name="Pat Reader", email="pat@example.com"))
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert "newsite newsroom" in index
    assert str(comment) == "Comment by Pat Reader on “A story worth discussing”"
    page = editor_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    html = page.content.decode()
    assert "Comment by Pat Reader on “A story worth discussing”" in html
    assert "pat@example.com" not in html


def test_recent_actions_link_nothing_that_would_answer_403(moderator_client, moderator, article):
    """A moderator's ban is logged against the reader's account, which they cannot open."""
    reader = UserFactory(display_name="Banned Reader")
    comment = make_comment(article, reader, status="pending")
    decide(moderator_client, comment, "ban")
    html = moderator_client.get(reverse("admin:index")).content.decode()
    sidebar = html.split('id="recent-actions-module"', 1)[1]
    user_url = reverse("admin:accounts_user_change", args=[reader.pk])
    assert user_url not in sidebar
    assert str(reader) in sidebar  # still listed, as plain text
    assert moderator_client.get(user_url).status_code == 403  # why it must not be a link


def test_recent_actions_link_what_the_user_may_open(editor_client, editor, article):
    from django.contrib.admin.models import CHANGE, LogEntry

    LogEntry.objects.log_actions(
        user_id=editor.pk, queryset=[article], action_flag=CHANGE, change_message="Edited."
    )
    html = editor_client.get(reverse("admin:index")).content.decode()
    sidebar = html.split('id="recent-actions-module"', 1)[1]
    assert f'href="{reverse("admin:articles_article_change", args=[article.pk])}"' in sidebar


def test_admin_filters_wrap_long_words(editor_client):
    """Every admin page loads the newsroom stylesheet, whose filters wrap long words."""
    from django.conf import settings

    html = editor_client.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert 'href="/static/css/newsroom-admin.css"' in html
    css = (settings.BASE_DIR / "static" / "css" / "newsroom-admin.css").read_text()
    assert (
        "#changelist-filter, #changelist-filter a, .newsroom-card { overflow-wrap: anywhere; }"
        in css
    )
