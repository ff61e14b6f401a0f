"""Editors read the delivery log (filtered by state and domain, the error shown) and the
followers; nobody edits either; moderators see neither."""

from __future__ import annotations

import pytest
from django.urls import reverse

from federation.models import Delivery, Follower, RemoteActor
from newsroom.roles import EDITORS, MODERATORS
from tests.admin.conftest import staff_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    actor = RemoteActor.objects.create(
        actor_id="https://social.example/users/alice",
        domain="social.example",
        handle="alice@social.example",
    )
    Follower.objects.create(remote_actor=actor)
    failed = Delivery.objects.create(
        activity_id="https://n.example/federation/actor#create-1",
        activity_type="Create",
        activity={"type": "Create"},
        inbox="https://social.example/inbox",
        domain="social.example",
        state=Delivery.State.FAILED,
        attempts=8,
        last_error="HTTP 503 Service Unavailable: down for maintenance",
    )
    sent = Delivery.objects.create(
        activity_id="https://n.example/federation/actor#create-2",
        activity_type="Create",
        activity={"type": "Create"},
        inbox="https://other.example/inbox",
        domain="other.example",
        state=Delivery.State.SENT,
    )
    return failed, sent


def test_editors_read_the_delivery_log_and_followers_but_change_nothing(client, log):
    failed, _ = log
    client.force_login(staff_in(EDITORS, email="editor@example.com"))
    changelist = reverse("admin:federation_delivery_changelist")
    response = client.get(changelist, {"state": "failed"})
    assert response.status_code == 200
    assert b"down for maintenance" in response.content
    assert b"other.example/inbox" not in response.content
    response = client.get(changelist, {"domain": "other.example"})
    assert b"other.example" in response.content
    assert b"down for maintenance" not in response.content
    assert (
        client.get(reverse("admin:federation_delivery_change", args=[failed.pk])).status_code == 200
    )
    assert client.get(reverse("admin:federation_delivery_add")).status_code == 403
    response = client.post(
        reverse("admin:federation_delivery_change", args=[failed.pk]), {"state": "sent"}
    )
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.state == Delivery.State.FAILED
    followers = client.get(reverse("admin:federation_follower_changelist"))
    assert b"@alice@social.example" in followers.content


def test_moderators_see_no_delivery_log(client, log):
    client.force_login(staff_in(MODERATORS, email="moderator@example.com"))
    assert client.get(reverse("admin:federation_delivery_changelist")).status_code == 403
