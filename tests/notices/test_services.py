"""Notices, decisions, statements of reasons and appeals: each rule and state change."""

import re

import pytest
from django.core import mail

from comments import ratelimit
from comments.models import Comment, ModerationAction
from comments.services import comment_create, comment_delete, comment_set_status
from notices import services
from notices.models import (
    Appeal,
    AppendOnlyError,
    Notice,
    NoticeDecision,
    StatementOfReasons,
)
from tests.factories import UserFactory
from tests.notices.conftest import notice_fields

pytestmark = pytest.mark.django_db

Outcome = NoticeDecision.Outcome


def send_notice(comment=None, **overrides) -> Notice:
    return services.notice_create(comment=comment, **notice_fields(**overrides))


def subjects() -> list[str]:
    return [m.subject for m in mail.outbox]


# --- receiving -------------------------------------------------------------------------------


def test_a_notice_gets_a_reference_at_once_and_a_receipt_by_mail(comment, run_tasks):
    notice = send_notice(comment, ip_address="203.0.113.9")
    assert re.fullmatch(r"N-\d{4}-[A-Z2-9]{8}", notice.reference)
    assert notice.state == Notice.State.RECEIVED
    assert notice.comment == comment
    assert notice.comment_text == "The harbour master is a crook."
    assert notice.comment_url.endswith(f"/comments/{comment.pk}/")
    assert notice.is_good_faith

    run_tasks()
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0]
    assert receipt.to == ["sam@example.com"]
    assert notice.reference in receipt.subject
    assert notice.reference in receipt.body
    assert notice.get_absolute_url() in receipt.body


def test_a_double_submit_makes_one_notice_and_one_receipt(comment, run_tasks):
    first = send_notice(comment, client_token="tok-123")
    again = send_notice(comment, client_token="tok-123")
    assert again.pk == first.pk
    assert Notice.objects.count() == 1
    run_tasks()
    assert len(mail.outbox) == 1


def test_notices_are_rate_limited_per_email_address(comment):
    for _ in range(services.NOTICES_PER_EMAIL):
        send_notice(comment)
    with pytest.raises(services.NoticeRateLimited):
        send_notice(comment, sender_email="SAM@example.com")  # same address, other case
    send_notice(comment, sender_email="someone.else@example.com")


def test_notices_are_rate_limited_per_network_address(comment):
    for number in range(services.NOTICES_PER_IP):
        send_notice(comment, sender_email=f"s{number}@example.com", ip_address="198.51.100.7")
    with pytest.raises(services.NoticeRateLimited):
        send_notice(comment, sender_email="fresh@example.com", ip_address="198.51.100.7")
    send_notice(comment, sender_email="fresh@example.com", ip_address="198.51.100.8")


def test_the_rate_limit_window_passes(comment, monkeypatch):
    for _ in range(services.NOTICES_PER_EMAIL):
        send_notice(comment)
    later = ratelimit.now() + services.NOTICE_WINDOW + 1
    monkeypatch.setattr(ratelimit, "now", lambda: later)
    assert send_notice(comment).pk


def test_good_faith_is_required(comment):
    with pytest.raises(services.NoticeError, match="good faith"):
        send_notice(comment, is_good_faith=False)
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("explanation", "x" * 5_001),
        ("sender_email", "not an address"),
        ("location_url", "javascript:alert(1)"),
        ("ground", "treason"),
        ("sender_name", ""),
    ],
)
def test_bad_fields_are_refused_with_a_message(comment, field, value):
    with pytest.raises(services.NoticeError) as error:
        send_notice(comment, **{field: value})
    assert error.value.message
    assert not Notice.objects.exists()


def test_the_location_finds_the_comment_when_none_is_given(comment):
    by_permalink = send_notice(location_url=f"https://example.com/comments/{comment.pk}/")
    by_anchor = send_notice(
        location_url=f"https://example.com{comment.article.get_absolute_url()}#c{comment.pk}",
        sender_email="other@example.com",
    )
    elsewhere = send_notice(location_url="https://example.com/about/", sender_email="x@example.com")
    assert by_permalink.comment == comment
    assert by_anchor.comment == comment
    assert elsewhere.comment is None


def test_a_comment_deleted_by_its_author_is_snapshotted_from_its_last_text(comment, author):
    comment_delete(comment=comment, user=author)
    notice = send_notice(comment)
    assert notice.comment_text == "The harbour master is a crook."


def test_a_notice_about_a_comment_deleted_since_still_gets_a_decision(
    comment, moderator, run_tasks
):
    notice = send_notice(comment)
    Comment.objects.filter(pk=comment.pk).delete()
    notice.refresh_from_db()
    assert notice.comment is None
    assert notice.comment_text  # the snapshot stays

    decision = services.notice_decide(
        notice=notice,
        moderator=moderator,
        outcome=Outcome.ILLEGAL,
        ground="Criminal code, section 187",
        explanation="Unproven accusation of a crime against a named person.",
    )
    notice.refresh_from_db()
    assert notice.state == Notice.State.DECIDED
    assert decision.notice == notice
    assert not StatementOfReasons.objects.exists()  # nothing left to restrict
    run_tasks()
    outcome = [m for m in mail.outbox if "Decision on your notice" in m.subject]
    assert len(outcome) == 1
    assert "already been deleted" in outcome[0].body


# --- deciding --------------------------------------------------------------------------------


def test_start_review_moves_received_to_under_review_only(comment, moderator):
    notice = send_notice(comment)
    services.notice_start_review(notice=notice, moderator=moderator)
    assert notice.state == Notice.State.UNDER_REVIEW
    assert notice.review_started_at is not None
    services.notice_decide(
        notice=notice, moderator=moderator, outcome=Outcome.NO_ACTION, explanation="Fine."
    )
    with pytest.raises(services.NoticeClosed):
        services.notice_start_review(notice=notice, moderator=moderator)


def test_readers_cannot_decide(comment, author):
    notice = send_notice(comment)
    with pytest.raises(services.NotAllowed):
        services.notice_decide(
            notice=notice, moderator=author, outcome=Outcome.NO_ACTION, explanation="Mine."
        )
    with pytest.raises(services.NotAllowed):
        services.notice_start_review(notice=notice, moderator=UserFactory(is_staff=True))
    assert not NoticeDecision.objects.exists()


def test_an_illegal_decision_removes_the_comment_through_the_comment_services(
    comment, article, author, moderator, run_tasks
):
    article.refresh_from_db()
    assert article.comment_count == 1
    notice = send_notice(comment)
    decision = services.notice_decide(
        notice=notice,
        moderator=moderator,
        outcome=Outcome.ILLEGAL,
        ground="Criminal code, section 187",
        explanation="It accuses a named person of a crime without evidence.",
    )
    assert decision.is_illegal
    assert decision.decided_by == moderator
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert article.comment_count == 0
    action = ModerationAction.objects.get(comment=comment)
    assert action.action == "removed"
    assert action.moderator == moderator
    assert notice.reference in action.note

    statement = StatementOfReasons.objects.get()
    assert statement.notice == notice
    assert statement.moderation_action == action
    assert statement.recipient == author
    assert statement.source_type == "SOURCE_ARTICLE_16"
    assert statement.decision_ground == "DECISION_GROUND_ILLEGAL_CONTENT"
    assert statement.legal_ground == "Criminal code, section 187"
    assert statement.category == "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    assert statement.restriction == "removed"
    assert statement.decided_by == moderator
    assert not statement.is_automated_detection
    assert statement.automated_decision == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert notice.get_ground_display().lower() in statement.facts

    run_tasks()
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"sam@example.com", "ada@example.com"}
    outcome = by_recipient["sam@example.com"]
    assert "Illegal" in outcome.body
    assert "section 187" in outcome.body
    to_author = by_recipient["ada@example.com"]
    assert "the reasons" in to_author.subject
    assert statement.get_absolute_url() in to_author.body
    assert "section 187" in to_author.body


def test_a_terms_decision_cites_the_guidelines(comment, moderator):
    notice = send_notice(comment)
    services.notice_decide(
        notice=notice,
        moderator=moderator,
        outcome=Outcome.INCOMPATIBLE,
        ground="Rule 1, be civil",
        explanation="A personal attack.",
    )
    statement = StatementOfReasons.objects.get()
    assert statement.decision_ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert statement.terms_ground == "The community guidelines: Rule 1, be civil"
    assert statement.legal_ground == ""
    assert statement.category == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"


def test_no_action_leaves_the_comment_and_issues_no_statement(comment, moderator, run_tasks):
    notice = send_notice(comment)
    services.notice_decide(
        notice=notice, moderator=moderator, outcome=Outcome.NO_ACTION, explanation="Opinion."
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert notice.state == Notice.State.DECIDED
    assert not StatementOfReasons.objects.exists()
    run_tasks()
    assert [m.to for m in mail.outbox if "Decision" in m.subject] == [["sam@example.com"]]


def test_a_restricting_decision_needs_a_ground(comment, moderator):
    notice = send_notice(comment)
    with pytest.raises(services.NoticeError, match="law or guideline"):
        services.notice_decide(
            notice=notice, moderator=moderator, outcome=Outcome.ILLEGAL, explanation="Bad."
        )
    notice.refresh_from_db()
    assert notice.state == Notice.State.RECEIVED
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PUBLISHED


def test_a_decided_notice_cannot_be_decided_again(comment, moderator, second_moderator):
    notice = send_notice(comment)
    services.notice_decide(
        notice=notice, moderator=moderator, outcome=Outcome.NO_ACTION, explanation="Fine."
    )
    with pytest.raises(services.NoticeClosed):
        services.notice_decide(
            notice=notice,
            moderator=second_moderator,
            outcome=Outcome.ILLEGAL,
            ground="x",
            explanation="y",
        )
    assert NoticeDecision.objects.count() == 1


def test_void_sets_aside_open_notices_only(comment, moderator):
    spam = [send_notice(comment, sender_email=f"bot{n}@example.com") for n in range(3)]
    decided = send_notice(comment, sender_email="real@example.com")
    services.notice_decide(
        notice=decided, moderator=moderator, outcome=Outcome.NO_ACTION, explanation="Fine."
    )
    count = services.notice_void(notices=[*spam, decided], moderator=moderator)
    assert count == 3
    states = dict(Notice.objects.values_list("pk", "state"))
    assert {states[n.pk] for n in spam} == {"void"}
    assert states[decided.pk] == "decided"
    with pytest.raises(services.NotAllowed):
        services.notice_void(notices=spam, moderator=UserFactory())


# --- the record is append-only ---------------------------------------------------------------


@pytest.fixture
def decided(comment, moderator):
    notice = send_notice(comment)
    return services.notice_decide(
        notice=notice,
        moderator=moderator,
        outcome=Outcome.ILLEGAL,
        ground="Criminal code, section 187",
        explanation="Defamatory.",
    )


def test_decisions_cannot_be_changed_or_deleted(decided):
    decided.explanation = "Rewritten history."
    with pytest.raises(AppendOnlyError):
        decided.save()
    with pytest.raises(AppendOnlyError):
        decided.delete()
    with pytest.raises(AppendOnlyError):
        NoticeDecision.objects.filter(pk=decided.pk).update(explanation="Quietly rewritten.")
    with pytest.raises(AppendOnlyError):
        NoticeDecision.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        NoticeDecision.objects.bulk_update([decided], ["explanation"])
    decided.refresh_from_db()
    assert decided.explanation == "Defamatory."


def test_statements_cannot_be_changed_or_deleted(decided):
    statement = StatementOfReasons.objects.get()
    statement.legal_ground = "Something else"
    with pytest.raises(AppendOnlyError):
        statement.save()
    with pytest.raises(AppendOnlyError):
        statement.delete()
    with pytest.raises(AppendOnlyError):
        StatementOfReasons.objects.update(explanation="")
    with pytest.raises(AppendOnlyError):
        StatementOfReasons.objects.filter(pk=statement.pk).delete()
    assert StatementOfReasons.objects.get().legal_ground == "Criminal code, section 187"


def test_deleting_the_comment_keeps_the_record(decided, comment):
    comment.article.delete()  # takes its comments and their moderation log with it
    statement = StatementOfReasons.objects.get()
    assert statement.comment is None
    assert statement.moderation_action is None
    assert statement.comment_excerpt == "The harbour master is a crook."
    assert NoticeDecision.objects.get() == decided


def test_a_decider_who_may_not_moderate_comments_changes_nothing(comment):
    from django.contrib.auth.models import Permission

    odd = UserFactory(is_staff=True)
    odd.user_permissions.add(Permission.objects.get(codename="add_noticedecision"))
    notice = send_notice(comment)
    with pytest.raises(services.NoticeError, match="Only moderators"):
        services.notice_decide(
            notice=notice, moderator=odd, outcome=Outcome.ILLEGAL, ground="x", explanation="y"
        )
    notice.refresh_from_db()
    assert notice.state == Notice.State.RECEIVED
    assert not NoticeDecision.objects.exists()


def test_deleting_the_moderators_account_keeps_the_record(decided, moderator):
    moderator.delete()
    decided.refresh_from_db()
    assert decided.decided_by is None
    assert StatementOfReasons.objects.get().decided_by is None


# --- statements for every restriction --------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "restriction", "visibility"),
    [
        ("hidden", "hidden", "DECISION_VISIBILITY_CONTENT_DISABLED"),
        ("removed", "removed", "DECISION_VISIBILITY_CONTENT_REMOVED"),
        ("spam", "spam", "DECISION_VISIBILITY_CONTENT_REMOVED"),
        ("pending", "held", "DECISION_VISIBILITY_CONTENT_DISABLED"),
    ],
)
def test_a_moderators_restriction_issues_a_voluntary_statement(
    comment, author, moderator, status, restriction, visibility, run_tasks
):
    comment_set_status(comment=comment, status=status, moderator=moderator, note="Off topic.")
    statement = StatementOfReasons.objects.get()
    assert statement.restriction == restriction
    assert statement.decision_visibility == visibility
    assert statement.source_type == "SOURCE_VOLUNTARY"
    assert statement.decision_ground == "DECISION_GROUND_INCOMPATIBLE_CONTENT"
    assert statement.terms_ground == "The community guidelines"
    assert statement.explanation == "Off topic."
    assert statement.decided_by == moderator
    assert statement.automated_decision == "AUTOMATED_DECISION_NOT_AUTOMATED"
    run_tasks()
    assert [m.to for m in mail.outbox] == [[author.email]]


def test_publishing_or_pinning_issues_no_statement(comment, moderator):
    comment_set_status(comment=comment, status="hidden", moderator=moderator)
    comment_set_status(comment=comment, status="published", moderator=moderator)
    from comments.services import comment_set_pinned

    comment_set_pinned(comment=comment, pinned=True, moderator=moderator)
    assert StatementOfReasons.objects.count() == 1  # the hiding only


def test_an_automatic_hold_is_recorded_as_automated(article, run_tasks):
    from tests.factories import relaxed_moderation

    relaxed_moderation(first_comment_held=True)
    newcomer = UserFactory()
    held = comment_create(article=article, author=newcomer, body="My first comment.")
    assert held.status == Comment.Status.PENDING
    statement = StatementOfReasons.objects.get()
    assert statement.restriction == "held"
    assert statement.is_automated_detection
    assert statement.automated_decision == "AUTOMATED_DECISION_FULLY"
    assert statement.decided_by is None
    assert "automatic" in statement.facts
    run_tasks()
    assert [m.to for m in mail.outbox] == [[newcomer.email]]


def test_automation_follows_the_moderation_log(comment, moderator):
    by_site = ModerationAction(comment=comment, action="auto_held", is_automated=True)
    by_moderator = ModerationAction(comment=comment, action="pending", moderator=moderator)
    assert services.automation_of(by_site) == (True, "AUTOMATED_DECISION_FULLY")
    assert services.automation_of(by_moderator) == (False, "AUTOMATED_DECISION_NOT_AUTOMATED")
    # Text that screening marked (a watched word's flag) was detected by machine, decided by a
    # person.
    comment.screening_notes = "watched word scam (flag)"
    assert services.automation_of(by_moderator) == (True, "AUTOMATED_DECISION_NOT_AUTOMATED")


def test_a_deleted_author_gets_no_mail_but_the_statement_is_kept(comment, author, moderator):
    Comment.objects.filter(pk=comment.pk).update(author=None)
    comment.refresh_from_db()
    comment_set_status(comment=comment, status="removed", moderator=moderator)
    statement = StatementOfReasons.objects.get()
    assert statement.recipient is None


# --- appeals ---------------------------------------------------------------------------------


@pytest.fixture
def statement(decided):
    return StatementOfReasons.objects.get()


def test_only_the_author_may_appeal_and_only_once(statement, author):
    with pytest.raises(services.NotAllowed):
        services.appeal_create(statement=statement, author=UserFactory(), reason="Not mine.")
    appeal = services.appeal_create(statement=statement, author=author, reason="It is true.")
    assert appeal.statement == statement
    with pytest.raises(services.AppealNotPossible):
        services.appeal_create(statement=statement, author=author, reason="Again.")
    assert Appeal.objects.count() == 1


def test_an_empty_appeal_is_refused(statement, author):
    with pytest.raises(services.NoticeError):
        services.appeal_create(statement=statement, author=author, reason="   ")


def test_the_first_moderator_cannot_decide_the_appeal(statement, author, moderator):
    appeal = services.appeal_create(statement=statement, author=author, reason="It is true.")
    with pytest.raises(services.SameModerator):
        services.appeal_decide(appeal=appeal, moderator=moderator, outcome="reversed")
    appeal.refresh_from_db()
    assert not appeal.is_decided


def test_a_second_moderator_reverses_and_the_comment_is_back(
    statement, author, comment, article, second_moderator, run_tasks
):
    appeal = services.appeal_create(statement=statement, author=author, reason="It is true.")
    mail.outbox.clear()
    services.appeal_decide(
        appeal=appeal, moderator=second_moderator, outcome="reversed", note="Sourced claim."
    )
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert article.comment_count == 1
    assert appeal.decided_by == second_moderator
    assert StatementOfReasons.objects.count() == 1  # publishing restricts nothing
    run_tasks()
    appeal_mail = [m for m in mail.outbox if "appeal" in m.subject.lower()]
    assert [m.to for m in appeal_mail] == [[author.email]]
    assert "Reversed" in appeal_mail[0].subject
    assert "Sourced claim." in appeal_mail[0].body


def test_an_upheld_appeal_leaves_the_comment_removed_and_is_final(
    statement, author, comment, second_moderator, editor
):
    appeal = services.appeal_create(statement=statement, author=author, reason="Please.")
    services.appeal_decide(appeal=appeal, moderator=second_moderator, outcome="upheld")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    with pytest.raises(services.AppealNotPossible):
        services.appeal_decide(appeal=appeal, moderator=editor, outcome="reversed")
    appeal.refresh_from_db()
    appeal.outcome = "reversed"
    with pytest.raises(AppendOnlyError):
        appeal.save()
    with pytest.raises(AppendOnlyError):
        appeal.delete()


def test_an_automated_decision_may_be_appealed_to_any_moderator(article, moderator):
    from tests.factories import relaxed_moderation

    relaxed_moderation(first_comment_held=True)
    newcomer = UserFactory()
    comment_create(article=article, author=newcomer, body="First!")
    statement = StatementOfReasons.objects.get()
    appeal = services.appeal_create(statement=statement, author=newcomer, reason="Let it out.")
    services.appeal_decide(appeal=appeal, moderator=moderator, outcome="reversed")
    assert Comment.objects.get().status == Comment.Status.PUBLISHED
