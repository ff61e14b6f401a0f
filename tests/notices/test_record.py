"""Notices on the public moderation record: received and ended by outcome, per month, with
no sender, author or moderator named, and renewed when a notice changes."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notices import services
from notices.models import Notice
from notices.record import monthly_notices
from tests.notices.conftest import notice_fields

pytestmark = pytest.mark.django_db


def test_notices_are_counted_in_the_months_they_came_in_and_ended(comment, moderator):
    illegal = services.notice_create(comment=comment, **notice_fields())
    services.notice_decide(
        notice=illegal,
        moderator=moderator,
        outcome="illegal",
        ground="Criminal code, section 187",
        explanation="Unproven accusation of a crime.",
    )
    unfounded = services.notice_create(comment=comment, **notice_fields(client_token="b" * 32))
    services.notice_decide(
        notice=unfounded, moderator=moderator, outcome="no_action", explanation="Fair comment."
    )
    spam = services.notice_create(comment=comment, **notice_fields(client_token="c" * 32))
    services.notice_void(notices=[spam], moderator=moderator)
    last_month = timezone.now().replace(day=1) - timedelta(days=2)
    Notice.objects.filter(pk=spam.pk).update(received_at=last_month)

    current, previous = monthly_notices(months=2)

    assert current.received == 2
    assert current.ended == {
        "Illegal, removed": 1,
        "Against the guidelines, removed": 0,
        "No action": 1,
        "Void or withdrawn": 1,
    }
    assert previous.received == 1
    assert sum(previous.ended.values()) == 0


def test_the_record_page_shows_notices_without_names_and_follows_a_voiding(
    client, comment, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = services.notice_create(comment=comment, **notice_fields())
    page = client.get(reverse("moderation-record")).content.decode()
    row = f'data-notice-month="{timezone.localtime():%Y-%m}"'
    assert row in page
    for personal in ("Sam Sender", "sam@example.com", "crook", notice.reference):
        assert personal not in page

    with django_capture_on_commit_callbacks(execute=True):
        services.notice_void(notices=[notice], moderator=moderator)
    response = client.get(reverse("moderation-record"))
    assert response["X-Page-Cache"] == "miss"
    cells = response.content.decode().split(row)[1].split("</tr>")[0]
    assert cells.count("<td>1</td>") == 2  # received, and void
