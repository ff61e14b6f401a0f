"""Editors manage endpoints and read the delivery log; moderators see neither. The
"Send test event" button and action reach the local receiver."""

import pytest
from django.urls import reverse

from newsroom.roles import EDITORS, MODERATORS
from tests.admin.conftest import staff_in
from webhooks.models import Delivery, Endpoint
from webhooks.services import endpoint_send_test

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return staff_in(EDITORS, email="editor@example.com")


@pytest.fixture
def moderator(db):
    return staff_in(MODERATORS, email="moderator@example.com")


def test_editors_manage_endpoints_and_read_deliveries_moderators_see_neither(
    client, editor, moderator, endpoint
):
    delivery = endpoint_send_test(endpoint=endpoint)
    screens = [
        (reverse("admin:webhooks_endpoint_changelist"), 200),
        (reverse("admin:webhooks_endpoint_add"), 200),
        (reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]), 200),
        (reverse("admin:webhooks_endpoint_delete", args=[endpoint.pk]), 200),
        (reverse("admin:webhooks_delivery_changelist"), 200),
        (reverse("admin:webhooks_delivery_change", args=[delivery.pk]), 200),
        (reverse("admin:webhooks_delivery_add"), 403),
        (reverse("admin:webhooks_delivery_delete", args=[delivery.pk]), 403),
    ]
    client.force_login(editor)
    for url, expected in screens:
        assert client.get(url).status_code == expected, url
    assert "Webhooks" in client.get(reverse("admin:index")).content.decode()
    client.force_login(moderator)
    for url, _ in screens:
        assert client.get(url).status_code == 403, url
    assert "Webhooks" not in client.get(reverse("admin:index")).content.decode()


def test_an_editor_adds_an_endpoint_and_sees_its_secret(client, editor, receiver):
    client.force_login(editor)
    response = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "name": "Slack bridge",
            "url": receiver.url,
            "events": ["comment.held", "notice.received"],
            "is_active": "on",
            **_empty_inline(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["comment.held", "notice.received"]
    page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert endpoint.secret in page.content.decode()


def test_an_internal_url_is_refused_with_the_form_kept(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {
            "name": "Metadata grab",
            "url": "http://169.254.169.254/latest/meta-data/",
            "events": ["comment.created"],
            **_empty_inline(),
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "cloud metadata address" in errors["url"][0]
    assert 'value="Metadata grab"' in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_send_test_event_button_reaches_the_receiver(
    client, editor, endpoint, receiver, run_tasks
):
    client.force_login(editor)
    url = reverse("admin:webhooks_endpoint_send_test", args=[endpoint.pk])
    change = reverse("admin:webhooks_endpoint_change", args=[endpoint.pk])
    assert f'action="{url}"' in client.get(change).content.decode()
    assert client.get(url).status_code == 405  # sending is a POST
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == change
    run_tasks()
    assert receiver.events == ["test"]
    assert receiver.requests[0].verified
    page = client.get(change).content.decode()
    assert "Delivery log" in page
    assert "Delivered" in page


def test_moderators_cannot_send_test_events(client, moderator, endpoint):
    client.force_login(moderator)
    url = reverse("admin:webhooks_endpoint_send_test", args=[endpoint.pk])
    assert client.post(url).status_code == 403
    assert not Delivery.objects.exists()


def test_the_list_actions_send_a_test_event_and_rotate_the_secret(
    client, editor, endpoint, receiver, run_tasks
):
    client.force_login(editor)
    changelist = reverse("admin:webhooks_endpoint_changelist")
    client.post(changelist, {"action": "send_test_event", "_selected_action": [endpoint.pk]})
    run_tasks()
    assert receiver.events == ["test"]
    old = endpoint.secret
    client.post(changelist, {"action": "rotate_secret", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.previous_secret == old
    assert endpoint.signing_secrets() == [endpoint.secret, old]


def _empty_inline() -> dict:
    prefix = "deliveries"
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "0",
    }


def test_an_editor_deletes_an_endpoint_with_its_log(client, editor, endpoint):
    endpoint_send_test(endpoint=endpoint)
    client.force_login(editor)
    url = reverse("admin:webhooks_endpoint_delete", args=[endpoint.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()
