"""Daily and weekly digests (comments.digests): one e-mail per reader and frequency, grouping by
article, sent once the oldest waiting comment has waited the digest's period.

The clock is the `now=` the service takes (the cron command passes the real one); the comments
themselves are dated by patching django.utils.timezone.now (freezegun is not installed).
"""

import datetime as dt
import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import MailFrequency, User
from comments import services
from comments.digests import digests_send
from comments.models import Comment, DigestEntry
from comments.mutes import mute_create
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

# Shortly after the articles were published (comments open then). Computed when the module is
# imported, which a slow full run may reach long before these tests run: an hour of margin, well
# inside the 30 days comments stay open.
MONDAY_9AM = timezone.now().replace(microsecond=0) + dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def reply_at(moment, *, article, author, parent, body) -> Comment:
    with at(moment):
        return services.comment_create(article=article, author=author, body=body, parent=parent)


def set_mail(user, **settings) -> None:
    User.objects.filter(pk=user.pk).update(**settings)


def send_due(run_tasks, now) -> list:
    """The cron run at `now`, then the worker sending what it queued."""
    report = digests_send(now=now)
    run_tasks()
    return report


def test_five_replies_in_a_day_make_one_email(rules, article, reader, run_tasks):
    set_mail(reader, reply_mail=MailFrequency.DAILY)
    parent = Comment.objects.select_related("author").get(
        pk=services.comment_create(article=article, author=reader, body="My point").pk
    )
    other_article = ArticleFactory(title="Harbour fees rise")
    other_parent = Comment.objects.select_related("author").get(
        pk=services.comment_create(article=other_article, author=reader, body="Fees!").pk
    )
    run_tasks()
    repliers = [UserFactory(display_name=f"Replier {n}") for n in range(5)]
    for hour, replier in enumerate(repliers):
        target, where = (parent, article) if hour < 3 else (other_parent, other_article)
        reply_at(
            MONDAY_9AM + dt.timedelta(hours=2 * hour),
            article=where,
            author=replier,
            parent=target,
            body=f"Answer number {hour}",
        )
    run_tasks()
    assert mail.outbox == []  # nothing at once under the daily setting
    assert DigestEntry.objects.filter(user=reader).count() == 5

    # Before a day has passed since the first reply: still waiting.
    send_due(run_tasks, MONDAY_9AM + dt.timedelta(hours=23))
    assert mail.outbox == []
    report = send_due(run_tasks, MONDAY_9AM + dt.timedelta(days=1, minutes=5))
    assert (report.sent, report.comments) == (1, 5)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [reader.email]
    assert message.subject == "Your daily digest: 5 new comments on 2 articles"
    body = message.body
    # Grouped by article, each comment under its article, oldest first.
    first, second = body.index(f"== {article.title} =="), body.index("== Harbour fees rise ==")
    assert first < second
    for n in range(3):
        assert first < body.index(f"Answer number {n}") < second
    for n in (3, 4):
        assert body.index(f"Answer number {n}") > second
    assert body.index("Answer number 0") < body.index("Answer number 1")
    assert "Replier 0, reply to you" in body
    assert DigestEntry.objects.count() == 0
    # The HTML part: the same groups, with links, from the configured sender.
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert html.index(f">{article.title}</a></h2>") < html.index(">Harbour fees rise</a></h2>")
    assert html.count("Read and reply</a>") == 5
    assert "/unsubscribe/" in html
    # Running again (cron every hour) sends nothing more.
    send_due(run_tasks, MONDAY_9AM + dt.timedelta(days=1, hours=1))
    assert len(mail.outbox) == 1


def test_digest_html_renders_markdown_sanitised_and_escapes_names(
    rules, article, reader, run_tasks
):
    set_mail(reader, reply_mail=MailFrequency.DAILY)
    parent = services.comment_create(article=article, author=reader, body="My point")
    replier = UserFactory(display_name="<b>Grace</b>")
    reply_at(
        MONDAY_9AM,
        article=article,
        author=replier,
        parent=parent,
        body="I **strongly** agree, see [the report](https://example.com/r).\n\n<script>x</script>",
    )
    run_tasks()
    send_due(run_tasks, MONDAY_9AM + dt.timedelta(days=1, minutes=5))
    [message] = mail.outbox
    assert "I **strongly** agree" in message.body  # the plain part keeps the reader's words
    [(html, _kind)] = message.alternatives
    assert "<strong>strongly</strong>" in html
    assert 'href="https://example.com/r"' in html
    assert "<script" not in html
    assert "&lt;b&gt;Grace&lt;/b&gt;" in html
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert not re.search(r"<style|style=|<img", html)  # simple HTML: nothing that tracks opens


def test_weekly_digest_waits_a_week_and_gathers_every_kind(
    rules, article, reader, other_reader, moderator, run_tasks
):
    set_mail(
        reader,
        reply_mail=MailFrequency.WEEKLY,
        followed_mail=MailFrequency.WEEKLY,
        staff_reply_mail=MailFrequency.WEEKLY,
    )
    reader.refresh_from_db()
    services.thread_follow(article=article, user=reader)
    parent = services.comment_create(article=article, author=reader, body="Mine")
    parent = Comment.objects.select_related("author").get(pk=parent.pk)
    reply_at(MONDAY_9AM, article=article, author=other_reader, parent=parent, body="Reply one")
    reply_at(MONDAY_9AM, article=article, author=moderator, parent=parent, body="Staff answer")
    with at(MONDAY_9AM + dt.timedelta(hours=30)):
        services.comment_create(article=article, author=other_reader, body="Top-level news")
    run_tasks()
    assert sorted(DigestEntry.objects.values_list("kind", flat=True)) == [
        "follow",
        "reply",
        "staff_reply",
    ]
    send_due(run_tasks, MONDAY_9AM + dt.timedelta(days=6))
    assert mail.outbox == []
    send_due(run_tasks, MONDAY_9AM + dt.timedelta(days=7))
    assert [m.subject for m in mail.outbox] == ["Your weekly digest: 3 new comments on 1 article"]
    body = mail.outbox[0].body
    assert "Reply one" in body
    assert "Staff answer" in body
    assert "Top-level news" in body
    assert "reply from the newsroom" in body
    assert "in a discussion you follow" in body


def test_immediate_readers_still_get_single_mails(rules, article, reader, other_reader, run_tasks):
    parent = services.comment_create(article=article, author=reader, body="Mine")
    parent = Comment.objects.select_related("author").get(pk=parent.pk)
    services.comment_create(article=article, author=other_reader, body="Hi", parent=parent)
    run_tasks()
    assert [m.subject for m in mail.outbox] == [f"Grace replied to your comment on {article.title}"]
    assert DigestEntry.objects.count() == 0


def test_one_click_digest_unsubscribe_turns_its_kinds_off(
    rules, article, reader, other_reader, run_tasks
):
    set_mail(reader, reply_mail=MailFrequency.DAILY, followed_mail=MailFrequency.WEEKLY)
    parent = Comment.objects.select_related("author").get(
        pk=services.comment_create(article=article, author=reader, body="Mine").pk
    )
    reply_at(MONDAY_9AM, article=article, author=other_reader, parent=parent, body="Reply")
    run_tasks()
    send_due(run_tasks, MONDAY_9AM + dt.timedelta(days=1))
    message = mail.outbox[0]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Stop your daily digest" in Client().get(urlsplit(link).path).content.decode()
    assert User.objects.get(pk=reader.pk).reply_mail == MailFrequency.DAILY  # a GET changes nothing
    assert Client().post(urlsplit(link).path).status_code == 200
    reader.refresh_from_db()
    assert reader.reply_mail == MailFrequency.OFF
    assert reader.followed_mail == MailFrequency.WEEKLY  # another digest, left alone
    assert reader.staff_reply_mail == MailFrequency.IMMEDIATELY


def test_per_kind_link_in_a_digest_turns_that_kind_off(
    rules, article, reader, other_reader, run_tasks
):
    set_mail(reader, followed_mail=MailFrequency.DAILY)
    services.thread_follow(article=article, user=reader)
    with at(MONDAY_9AM):
        services.comment_create(article=article, author=other_reader, body="News")
    run_tasks()
    send_due(run_tasks, MONDAY_9AM + dt.timedelta(days=1))
    body = mail.outbox[0].body
    line = next(line for line in body.splitlines() if "discussions you follow" in line)
    link = line.rsplit(" ", 1)[1]
    Client().post(urlsplit(link).path)
    assert User.objects.get(pk=reader.pk).followed_mail == MailFrequency.OFF


def test_waiting_entries_obey_the_setting_when_sent(
    rules, article, reader, other_reader, moderator, run_tasks
):
    """Turned off since: dropped. Comment removed since, or its author muted: dropped."""
    set_mail(reader, reply_mail=MailFrequency.DAILY)
    parent = Comment.objects.select_related("author").get(
        pk=services.comment_create(article=article, author=reader, body="Mine").pk
    )
    troll, removed_by_mod = UserFactory(display_name="Troll"), UserFactory()
    reply_at(MONDAY_9AM, article=article, author=troll, parent=parent, body="Bait")
    removed = reply_at(
        MONDAY_9AM, article=article, author=removed_by_mod, parent=parent, body="Spam"
    )
    reply_at(MONDAY_9AM, article=article, author=other_reader, parent=parent, body="Kind words")
    run_tasks()
    assert DigestEntry.objects.count() == 3
    services.comment_set_status(comment=removed, status="removed", moderator=moderator)
    mute_create(user=User.objects.get(pk=reader.pk), muted=troll)
    report = send_due(run_tasks, MONDAY_9AM + dt.timedelta(days=1))
    assert (report.sent, report.comments, report.dropped) == (1, 1, 2)
    digest = [m for m in mail.outbox if "digest" in m.subject]
    assert len(digest) == 1
    assert "Kind words" in digest[0].body
    assert "Bait" not in digest[0].body
    assert "Spam" not in digest[0].body

    reply_at(MONDAY_9AM, article=article, author=other_reader, parent=parent, body="Again")
    run_tasks()
    set_mail(reader, reply_mail=MailFrequency.OFF)
    report = send_due(run_tasks, MONDAY_9AM + dt.timedelta(days=3))
    assert (report.sent, report.dropped) == (0, 1)
    assert DigestEntry.objects.count() == 0


def test_send_digests_command(rules, article, reader, other_reader, run_tasks):
    set_mail(reader, reply_mail=MailFrequency.DAILY)
    parent = Comment.objects.select_related("author").get(
        pk=services.comment_create(article=article, author=reader, body="Mine").pk
    )
    reply_at(
        MONDAY_9AM,
        article=article,
        author=other_reader,
        parent=parent,
        body="Old reply",
    )
    run_tasks()
    from io import StringIO

    out = StringIO()
    with at(MONDAY_9AM + dt.timedelta(days=1)):
        call_command("send_digests", "--dry-run", stdout=out)
    assert "Would send 1 digest(s) holding 1 comment(s)" in out.getvalue()
    assert DigestEntry.objects.count() == 1
    with at(MONDAY_9AM + dt.timedelta(days=1)):
        call_command("send_digests", stdout=out)
    run_tasks()
    assert [m.subject for m in mail.outbox] == ["Your daily digest: 1 new comment on 1 article"]
    assert DigestEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_boolean_settings_migrate_to_frequencies():
    """The data migration: on becomes "immediately", off becomes "off"."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = [("accounts", "0002_staff_reply_and_pick_notices")]
    after = [("accounts", "0003_mail_frequencies_and_mutes")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("accounts", "User")
    on = old.objects.create(username="on", email="on@example.com")
    off = old.objects.create(
        username="off",
        email="off@example.com",
        notify_on_reply=False,
        notify_on_followed=False,
        notify_on_staff_reply=True,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    executor.loader.build_graph()
    new = executor.loader.project_state(after).apps.get_model("accounts", "User")
    assert new.objects.filter(pk=on.pk).values_list(
        "reply_mail", "followed_mail", "staff_reply_mail"
    ).get() == ("immediately", "immediately", "immediately")
    assert new.objects.filter(pk=off.pk).values_list(
        "reply_mail", "followed_mail", "staff_reply_mail"
    ).get() == ("off", "off", "immediately")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_switching_to_immediately_sends_what_waited_at_the_next_run(
    rules, article, reader, other_reader, run_tasks
):
    set_mail(reader, reply_mail=MailFrequency.WEEKLY)
    parent = Comment.objects.select_related("author").get(
        pk=services.comment_create(article=article, author=reader, body="Mine").pk
    )
    reply_at(MONDAY_9AM, article=article, author=other_reader, parent=parent, body="Waiting")
    run_tasks()
    set_mail(reader, reply_mail=MailFrequency.IMMEDIATELY)
    send_due(run_tasks, MONDAY_9AM + dt.timedelta(hours=1))
    assert [m.subject for m in mail.outbox] == ["New comments for you: 1 new comment on 1 article"]
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    page = Client().get(urlsplit(link).path).content.decode()
    assert "Stop these emails" in page
