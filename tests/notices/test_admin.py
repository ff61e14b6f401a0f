"""The notice queue, the decide form, void and review actions, read-only records, exports and
appeals in the admin: each through the services, none able to rewrite history."""

import csv
import io
import json

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse

from comments.models import Comment
from notices import services
from notices.models import Appeal, Notice, NoticeDecision, StatementOfReasons
from tests.factories import UserFactory
from tests.notices.conftest import notice_fields

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:notices_notice_changelist")


@pytest.fixture
def notice(comment):
    return services.notice_create(comment=comment, **notice_fields())


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def change_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def decide_data(response, **decision) -> dict:
    """The change form's inline management data, plus one new decision."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{formset.prefix}-{name}"] = management[name].value()
        if formset.model is NoticeDecision:
            for name, value in decision.items():
                data[f"{formset.prefix}-0-{name}"] = value
    return data


def test_the_queue_lists_and_finds_by_reference(client, moderator, notice, comment):
    services.notice_create(comment=comment, **notice_fields(sender_email="b@example.com"))
    client.force_login(moderator)
    page = client.get(QUEUE)
    assert page.status_code == 200
    assert notice.reference in page.content.decode()
    found = client.get(QUEUE, {"q": notice.reference})
    assert list(found.context["cl"].result_list) == [notice]
    assert client.get(QUEUE, {"state__exact": "received"}).status_code == 200


def test_a_moderator_decides_in_the_admin_through_the_service(client, moderator, notice, comment):
    client.force_login(moderator)
    url = change_url(notice)
    form = client.get(url)
    assert form.status_code == 200
    data = decide_data(
        form,
        outcome="illegal",
        ground="Criminal code, section 130",
        explanation="Incites hatred against a group.",
    )
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "The decision is recorded" in response.content.decode()
    notice.refresh_from_db()
    assert notice.state == Notice.State.DECIDED
    decision = NoticeDecision.objects.get()
    assert decision.decided_by == moderator
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.REMOVED
    assert StatementOfReasons.objects.get().notice == notice

    # Decided: the page shows the decision, read-only, with no form for another.
    page = client.get(url)
    assert "Incites hatred against a group." in page.content.decode()
    decision_formset = next(
        i.formset
        for i in page.context["inline_admin_formsets"]
        if i.formset.model is NoticeDecision
    )
    assert decision_formset.extra == 0
    assert decision_formset.max_num == 1


def test_a_decision_without_a_ground_is_refused_in_the_form(client, moderator, notice):
    client.force_login(moderator)
    url = change_url(notice)
    data = decide_data(client.get(url), outcome="illegal", ground="", explanation="Bad.")
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "Name the law or guideline" in response.content.decode()
    assert not NoticeDecision.objects.exists()


def test_start_review_and_void_actions(client, moderator, notice, comment):
    spam = services.notice_create(comment=comment, **notice_fields(sender_email="bot@x.org"))
    client.force_login(moderator)
    client.post(QUEUE, {"action": "start_review", "_selected_action": [notice.pk]})
    client.post(QUEUE, {"action": "mark_void", "_selected_action": [spam.pk, notice.pk]})
    states = dict(Notice.objects.values_list("pk", "state"))
    # Void applies to open notices: one under review is open too.
    assert states == {notice.pk: "void", spam.pk: "void"}


def test_review_action_leaves_decided_notices(client, moderator, notice):
    services.notice_decide(
        notice=notice, moderator=moderator, outcome="no_action", explanation="Fine."
    )
    client.force_login(moderator)
    client.post(QUEUE, {"action": "start_review", "_selected_action": [notice.pk]})
    client.post(QUEUE, {"action": "mark_void", "_selected_action": [notice.pk]})
    notice.refresh_from_db()
    assert notice.state == Notice.State.DECIDED


@pytest.fixture
def removed(notice, moderator):
    services.notice_decide(
        notice=notice,
        moderator=moderator,
        outcome="illegal",
        ground="Criminal code, section 130",
        explanation="Incites hatred.",
    )
    return StatementOfReasons.objects.get()


@pytest.mark.parametrize("model", [NoticeDecision, StatementOfReasons])
def test_nobody_can_change_or_delete_decisions_or_statements(client, superuser, removed, model, rf):
    obj = model.objects.get()
    request = rf.get("/")
    request.user = superuser
    admin = site._registry[model]
    assert not admin.has_change_permission(request, obj)
    assert not admin.has_delete_permission(request, obj)
    assert not admin.has_add_permission(request)

    client.force_login(superuser)
    page = client.get(change_url(obj))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    delete_url = reverse(f"admin:notices_{model._meta.model_name}_delete", args=[obj.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_decisions_inline_is_read_only_for_superusers_too(client, superuser, removed, notice):
    client.force_login(superuser)
    page = client.get(change_url(notice))
    inline = next(
        i for i in page.context["inline_admin_formsets"] if i.formset.model is NoticeDecision
    )
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    assert not inline.has_add_permission  # decided: nothing more to add


def test_moderators_get_no_change_or_delete_on_the_record(moderator, editor):
    for user in (moderator, editor):
        assert user.has_perm("notices.view_notice")
        assert user.has_perm("notices.add_noticedecision")
        for verb in ("change", "delete"):
            assert not user.has_perm(f"notices.{verb}_noticedecision")
            assert not user.has_perm(f"notices.{verb}_statementofreasons")
    assert editor.has_perm("notices.change_communityguidelines")
    assert not moderator.has_perm("notices.change_communityguidelines")


def test_statement_exports(client, moderator, removed):
    client.force_login(moderator)
    url = reverse("admin:notices_statementofreasons_changelist")
    response = client.post(url, {"action": "export_csv", "_selected_action": [removed.pk]})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert rows[0]["puid"] == str(removed.puid)
    assert json.loads(rows[0]["decision_visibility"]) == ["DECISION_VISIBILITY_CONTENT_REMOVED"]

    response = client.post(url, {"action": "export_jsonl", "_selected_action": [removed.pk]})
    lines = response.content.decode().splitlines()
    assert [json.loads(line)["puid"] for line in lines] == [str(removed.puid)]


def test_an_appeal_is_refused_to_the_first_moderator_and_decided_by_another(
    client, moderator, second_moderator, removed, author, comment
):
    appeal = services.appeal_create(statement=removed, author=author, reason="Satire.")
    url = change_url(appeal)
    client.force_login(moderator)
    response = client.post(url, {"outcome": "reversed", "decision_note": "Mine."})
    assert response.status_code == 200
    assert "another moderator must decide" in response.content.decode()
    appeal.refresh_from_db()
    assert not appeal.is_decided

    client.force_login(second_moderator)
    response = client.post(url, {"outcome": "reversed", "decision_note": "Clearly satire."})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.outcome == Appeal.Outcome.REVERSED
    assert appeal.decided_by == second_moderator
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.PUBLISHED
    # Decided: read-only from now on.
    page = client.get(url)
    assert 'name="_save"' not in page.content.decode()
    client.post(url, {"outcome": "upheld", "decision_note": "Changed my mind."})
    appeal.refresh_from_db()
    assert appeal.outcome == Appeal.Outcome.REVERSED


def test_a_comment_s_page_shows_its_author_s_notices_and_statements(
    client, moderator, notice, comment
):
    services.notice_decide(
        notice=notice,
        moderator=moderator,
        outcome="illegal",
        ground="Criminal code, section 187",
        explanation="Unproven accusation.",
    )
    client.force_login(moderator)
    page = client.get(change_url(comment)).content.decode()
    assert "Notices about their comments" in page
    assert "Statements of reasons sent to them" in page
    record = services.author_record_rows(comment.author)
    assert record == [
        ("Notices about their comments", 1),
        ("Statements of reasons sent to them", 1),
    ]
