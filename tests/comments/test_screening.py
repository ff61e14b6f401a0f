"""Screening before publication: watched words (block, hold, flag, censor) that see through
disguises, patterns checked when saved and bounded when run, and scorers (Python hooks and
a signed HTTP service) that are off, and silent, by default."""

import hashlib
import hmac
import json
import socket
import urllib.request
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from comments import screening, services
from comments.models import Comment, CommentRevision, ModerationAction, WatchedWord
from tests.comments.scoring import elapsed, scoring_service
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Action = WatchedWord.Action
NAUGHTY = Path(__file__).resolve().parents[1] / "data" / "naughty-strings.txt"


def post(article, author, body, **kwargs) -> Comment:
    return services.comment_create(article=article, author=author, body=body, **kwargs)


def watch(pattern: str, action: str = Action.HOLD, *, is_regex: bool = False, reason: str = ""):
    """A watched word saved as the admin saves it: validated first."""
    word = WatchedWord(pattern=pattern, action=action, is_regex=is_regex, reason=reason)
    word.full_clean()
    word.save()
    return word


def automated(comment: Comment) -> list[tuple[str, bool]]:
    return list(
        ModerationAction.objects.filter(comment=comment)
        .order_by("id")
        .values_list("action", "is_automated")
    )


# --- the four actions -------------------------------------------------------------------------


def test_block_refuses_with_the_reason_and_saves_nothing(rules, article, reader):
    watch("Frobnicate", Action.BLOCK, reason="Please keep it civil.")
    with pytest.raises(services.BannedWords, match=r"Please keep it civil\."):
        post(article, reader, "You FROBNICATE everything")
    watch("bad  phrase", Action.BLOCK)
    with pytest.raises(services.BannedWords, match="not allowed here"):
        post(article, reader, "what a Bad\nphrase that was")
    assert not Comment.objects.exists()
    assert post(article, reader, "Refrobnicated is a different word").is_published


def test_block_keeps_the_text_in_the_form(rules, article, reader, client):
    watch("frobnicate", Action.BLOCK)
    client.force_login(reader)
    response = client.post(
        reverse("comments:create", args=[article.pk]),
        {"body": "I frobnicate daily, and here is why", "client_token": "t1"},
    )
    html = response.content.decode()
    assert "not allowed here" in html
    assert "I frobnicate daily, and here is why</textarea>" in html
    assert not Comment.objects.exists()


def test_hold_waits_for_a_moderator_with_the_reason_logged_as_automated(rules, article, reader):
    watch("crypto giveaway", Action.HOLD, reason="Held: offers are checked first.")
    comment = post(article, reader, "Join the Crypto   giveaway now")
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason == "Held: offers are checked first."
    assert comment.screening_notes == "watched word “crypto giveaway” (hold)"
    assert automated(comment) == [(ModerationAction.Action.AUTO_HELD, True)]
    assert article.comments.counted().count() == 0


def test_flag_publishes_and_marks_suspect_for_the_queue(rules, article, reader, moderator):
    watch(r"fr[e3]{2}\s+money", Action.FLAG, is_regex=True)
    comment = post(article, reader, "Get FR33 money here")
    assert comment.is_published
    assert comment.is_suspect
    assert automated(comment) == [(ModerationAction.Action.FLAGGED, True)]
    # A moderator's approval settles the mark, logged as theirs.
    services.comment_set_status(comment=comment, status="published", moderator=moderator)
    assert not comment.is_suspect
    assert automated(comment)[-1] == ("published", False)


def test_censor_masks_the_match_in_the_original_text(rules, article, reader):
    watch("darn", Action.CENSOR)
    written = "What a D\u0410\u200bRN day, darnit. Darn!"  # Cyrillic A, a zero-width space
    comment = post(article, reader, written)
    assert comment.is_published
    assert comment.body == "What a \\*\\*\\*\\*\\* day, darnit. \\*\\*\\*\\*!"
    assert "What a ***** day, darnit. ****!" in comment.body_html
    assert CommentRevision.objects.get(comment=comment).body == written  # for moderators
    assert automated(comment) == [(ModerationAction.Action.CENSORED, True)]


# --- seeing through disguises -----------------------------------------------------------------


@pytest.mark.parametrize(
    "disguised",
    [
        "SCAM",
        "\u0455\u0441\u0430m",  # Cyrillic dze, es, a
        "s\u200bc\u200da\u2060m",  # zero-width space, joiner, word joiner
        "\uff33\uff23\uff21\uff2d",  # fullwidth
        "\U0001d42c\U0001d41c\U0001d41a\U0001d426",  # mathematical bold
        "scám",  # accent
        "s\u0336c\u0336a\u0336m\u0336",  # strike-through "zalgo"
        "SC\u0391M",  # Greek capital alpha
        "sc\u00adam",  # soft hyphen
    ],
)
def test_matching_sees_through_case_lookalikes_and_invisible_characters(disguised):
    text, _ = screening.normalise(f"a {disguised} here")
    assert screening.compile_pattern("scam", False).search(text)


def test_plain_words_match_whole_words_only():
    pattern = screening.compile_pattern("scam", False)
    assert not pattern.search(screening.normalise("scampi and scams")[0])
    assert pattern.search(screening.normalise("(scam)")[0])


def test_every_naughty_string_screens_without_crashing(rules, article, reader):
    watch("null", Action.CENSOR)
    watch(r"\d{3,}", Action.FLAG, is_regex=True)
    watch("drop table", Action.HOLD)
    lines = [line for line in NAUGHTY.read_text(encoding="utf-8").splitlines()[1:] if line]
    for line in lines:
        verdict = screening.screen(body=line, author=reader, article=article, rules=rules)
        assert verdict.status in (Comment.Status.PUBLISHED, Comment.Status.PENDING)
        if not verdict.is_masked:
            assert verdict.body == line
    censored = screening.screen(body="NULL", author=reader, article=article, rules=rules)
    assert censored.body == "\\*\\*\\*\\*"


# --- patterns checked when saved, bounded when run --------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(unclosed", "not a valid regular expression"),
        ("a{2,1}", "not a valid regular expression"),
        ("x*", "matches empty text"),
        ("(a+)+$", "too slow"),
        (r"(\w+\s?)+$", "too slow"),
    ],
)
def test_bad_patterns_are_refused_when_saved(pattern, message):
    with pytest.raises(ValidationError, match=message):
        WatchedWord(pattern=pattern, is_regex=True, action=Action.HOLD).full_clean()


def test_invisible_plain_word_is_refused():
    with pytest.raises(ValidationError, match="visible character"):
        WatchedWord(pattern="\u200b\u200b", action=Action.BLOCK).full_clean()


def test_admin_shows_why_a_pattern_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:comments_watchedword_add"),
        {"pattern": "(a+)+$", "is_regex": "on", "action": "hold", "reason": ""},
    )
    assert response.status_code == 200
    assert "too slow" in response.content.decode()
    assert not WatchedWord.objects.exists()


def test_pathological_pattern_already_saved_neither_hangs_nor_crashes(rules, article, reader):
    """A pattern saved before validation (or by a data import) runs under the time budget;
    running out holds the comment for a moderator instead of letting it through."""
    WatchedWord.objects.create(pattern="(a+)+$", is_regex=True, action=Action.BLOCK)
    comment, seconds = elapsed(post, article, reader, "a" * 4_000 + "!")
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason == screening.TOO_SLOW_REASON
    assert seconds < 5  # the budget is 0.2 s; unbounded, this pattern runs for ages
    with pytest.raises(services.BannedWords):  # where it answers in time, the rule still works
        post(article, reader, "aaa")


def test_compiled_rules_follow_changes_to_watched_words(rules, article, reader):
    word = watch("kumquat", Action.HOLD)
    assert post(article, reader, "a kumquat").status == Comment.Status.PENDING
    word.pattern = "durian"
    word.save()
    assert post(article, reader, "another kumquat").status == Comment.Status.PUBLISHED
    word.delete()
    assert post(article, reader, "a durian").status == Comment.Status.PUBLISHED


# --- editing is screened as posting is --------------------------------------------------------


def test_edit_is_screened_like_a_new_comment(rules, article, reader):
    watch("frobnicate", Action.BLOCK)
    watch("kumquat", Action.HOLD, reason="Fruit is checked.")
    comment = post(article, reader, "Clean")
    with pytest.raises(services.BannedWords):
        services.comment_edit(comment=comment, editor=reader, body="now frobnicate")
    comment.refresh_from_db()
    assert comment.body == "Clean"
    services.comment_edit(comment=comment, editor=reader, body="now kumquat")
    assert (comment.status, comment.moderation_reason) == ("pending", "Fruit is checked.")
    assert automated(comment) == [(ModerationAction.Action.AUTO_HELD, True)]


def test_automatic_actions_do_not_lock_the_text(rules, article, reader):
    """Only a person's decision freezes a comment; screening's marks leave it editable."""
    watch("kumquat", Action.FLAG)
    comment = post(article, reader, "a kumquat")
    assert services.can_edit(comment, reader)


# --- automated flags on the existing rules ----------------------------------------------------


def test_first_comment_and_report_holds_are_logged_as_automated(article, reader, rules):
    rules.first_comment_held = True
    rules.report_threshold = 1
    rules.save()
    first = post(article, reader, "Hello")
    assert automated(first) == [(ModerationAction.Action.AUTO_HELD, True)]
    other = UserFactory()
    Comment.objects.create(article=article, author=other, body="earlier", status="published")
    reported = post(article, other, "Rude")
    services.comment_report(comment=reported, reporter=reader, reason="abuse")
    assert automated(reported) == [(ModerationAction.Action.AUTO_HELD, True)]


# --- scorers ----------------------------------------------------------------------------------


def test_no_scorer_configured_means_no_outbound_request(rules, article, reader, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("screening made an outbound request")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    watch("kumquat", Action.FLAG)
    comment = post(article, reader, "A kumquat, no scorer")
    assert comment.is_published
    assert comment.screening_score is None


def test_http_scorer_above_threshold_holds_with_the_score(rules, article, reader):
    rules.scorer_secret = "s3cret"
    rules.scorer_threshold = 0.8
    with scoring_service(score=0.91) as service:
        rules.scorer_url = service.url
        rules.save()
        comment = post(article, reader, "Something borderline")
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason == "automatic: 0.91"
    assert comment.screening_score == pytest.approx(0.91)
    assert automated(comment) == [(ModerationAction.Action.AUTO_HELD, True)]

    # The request is signed over "<timestamp>.<raw body>" and names nobody.
    [(headers, raw)] = service.received
    timestamp = headers["X-Newsite-Timestamp"]
    expected = hmac.new(b"s3cret", timestamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    assert headers["X-Newsite-Signature"] == f"sha256={expected}"
    sent = json.loads(raw)
    assert sent["text"] == "Something borderline"
    assert sent["article_url"].endswith(article.get_absolute_url())
    assert len(sent["author_id_hash"]) == 64
    assert str(reader.pk) != sent["author_id_hash"]
    assert reader.email not in raw.decode()


def test_http_scorer_below_threshold_publishes_and_keeps_the_score(rules, article, reader):
    with scoring_service(score=0.2) as service:
        rules.scorer_url, rules.scorer_secret = service.url, "s"
        rules.save()
        comment = post(article, reader, "Perfectly nice")
    assert comment.is_published
    assert comment.screening_score == pytest.approx(0.2)
    assert comment.screening_notes == "automatic: 0.20"


@pytest.mark.parametrize(("fallback", "status"), [("hold", "pending"), ("publish", "published")])
def test_http_scorer_timeout_applies_the_fallback_within_the_timeout(
    rules, article, reader, fallback, status
):
    with scoring_service(delay=3) as service:
        rules.scorer_url, rules.scorer_secret = service.url, "s"
        rules.scorer_timeout_ms, rules.scorer_fallback = 200, fallback
        rules.save()
        comment, seconds = elapsed(post, article, reader, "Waiting for a score")
    assert comment.status == status
    assert "scorer failed (no answer within 200 ms)" in comment.screening_notes
    if fallback == "hold":
        assert comment.moderation_reason == screening.SCORER_FAILED_REASON
    assert seconds < 2  # the service answers after 3 s


@pytest.mark.parametrize(
    "behaviour", [{"status": 500}, {"score": "high"}, {"score": 7}], ids=["500", "text", "range"]
)
def test_http_scorer_error_applies_the_fallback(rules, article, reader, behaviour):
    with scoring_service(**behaviour) as service:
        rules.scorer_url, rules.scorer_secret = service.url, "s"
        rules.scorer_fallback = "hold"
        rules.save()
        comment = post(article, reader, "An error on their side")
    assert comment.status == Comment.Status.PENDING
    assert comment.moderation_reason == screening.SCORER_FAILED_REASON
    assert comment.screening_score is None


def high_score(text, author, article):
    return 0.95 if "shout" in text else None


def broken_score(text, author, article):
    raise RuntimeError("model not loaded")


def test_python_scorer_hook(rules, article, reader, settings):
    settings.COMMENT_SCORERS = ["tests.comments.test_screening.high_score"]
    assert post(article, reader, "a calm remark").screening_score is None
    held = post(article, reader, "I shout")
    assert (held.status, held.moderation_reason) == ("pending", "automatic: 0.95")


def test_failing_python_scorer_applies_the_fallback(rules, article, reader, settings):
    settings.COMMENT_SCORERS = ["tests.comments.test_screening.broken_score"]
    assert post(article, reader, "first").is_published  # fallback: publish (the default)
    rules.scorer_fallback = "hold"
    rules.save()
    assert post(article, reader, "second").status == Comment.Status.PENDING


def test_queue_shows_scores_and_reasons(rules, article, reader, admin_client, settings):
    settings.COMMENT_SCORERS = ["tests.comments.test_screening.high_score"]
    watch("kumquat", Action.FLAG)
    post(article, reader, "I shout")
    post(article, reader, "a kumquat")
    queue = reverse("admin:comments_comment_changelist")
    html = admin_client.get(queue, {"queue": "attention"}).content.decode()
    assert "automatic: 0.95" in html
    assert "Suspect · watched word “kumquat” (flag)" in html
    suspects = admin_client.get(queue, {"queue": "suspect"}).content.decode()
    assert "a kumquat" in suspects
    assert "I shout" not in suspects
    held = Comment.objects.get(body="I shout")
    detail = admin_client.get(reverse("admin:comments_comment_change", args=[held.pk]))
    assert "automatic: 0.95" in detail.content.decode()


# --- banned words carried over ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_banned_words_become_watched_words_that_block():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("comments", "0002_watched_words_scorers_trust")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_apps.get_model("comments", "BannedWord").objects.create(word="cheap pills")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # every app back to its latest

    word = WatchedWord.objects.get()
    assert (word.pattern, word.is_regex, word.action) == ("cheap pills", False, Action.BLOCK)


def test_editor_configures_the_http_scorer_with_a_secret(admin_client, rules):
    change = reverse("admin:comments_moderationsettings_change", args=[rules.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {
        name: ("" if value is None or value is False else value) for name, value in data.items()
    }
    data |= {"scorer_url": "https://scores.example/v1", "scorer_secret": ""}
    response = admin_client.post(change, data)
    assert "Set a shared secret" in response.content.decode()
    data |= {"scorer_secret": "s3cret", "scorer_timeout_ms": 20}
    assert (
        "Ensure this value is greater than or equal to 50"
        in admin_client.post(change, data).content.decode()
    )
    data |= {"scorer_timeout_ms": 800, "scorer_fallback": "hold"}
    assert admin_client.post(change, data).status_code == 302
    rules.refresh_from_db()
    assert (rules.scorer_url, rules.scorer_secret, rules.scorer_timeout_ms) == (
        "https://scores.example/v1",
        "s3cret",
        800,
    )
    assert rules.scorer_fallback == "hold"
