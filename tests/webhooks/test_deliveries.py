"""Signing, rotation, retries with backoff, the 50-entry log and timeouts, against the local
receiver, which checks each signature with the README's code."""

import datetime as dt
import hashlib
import hmac
import json
import time
from unittest import mock

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from webhooks import signing
from webhooks.models import LOG_SIZE, Delivery
from webhooks.services import (
    MAX_ATTEMPTS,
    delivery_attempt,
    delivery_create,
    endpoint_rotate_secret,
    endpoint_send_test,
    event_send,
)
from webhooks.tasks import deliver

from .conftest import point_at, readme_verifier

pytestmark = pytest.mark.django_db


def test_signature_is_hmac_sha256_of_timestamp_dot_body():
    body = b'{"id":1}'
    header = signing.signature_header(["s3cret"], body, timestamp=1_700_000_000)
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_the_readme_verifier_accepts_ours_and_refuses_tampering_and_replays():
    verify = readme_verifier()
    body = b'{"event":"test"}'
    now = int(time.time())
    assert verify(signing.signature_header(["k"], body), body, "k")
    assert not verify(signing.signature_header(["k"], body), body + b" ", "k")
    assert not verify(signing.signature_header(["k"], body), body, "other key")
    assert not verify(signing.signature_header(["k"], body, timestamp=now - 600), body, "k")
    assert not verify(signing.signature_header(["k"], body, timestamp=now + 600), body, "k")
    assert not verify("v1=abc", body, "k")
    assert not verify("garbage", body, "k")


def test_a_delivery_is_signed_and_carries_id_event_and_time(endpoint, receiver, run_tasks):
    delivery = endpoint_send_test(endpoint=endpoint)
    assert run_tasks() == 1
    (request,) = receiver.requests
    assert request.verified
    assert request.path == "/hooks/newsite"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Newsite-Event"] == "test"
    assert request.headers["X-Newsite-Delivery"] == str(delivery.pk)
    body = request.json()
    assert body == {
        "id": delivery.pk,
        "event": "test",
        "created_at": body["created_at"],
        "data": {"endpoint_id": endpoint.pk, "message": "A test event from the newsite admin."},
    }
    sent_at = dt.datetime.fromisoformat(body["created_at"])  # ISO 8601, to the millisecond
    assert abs(sent_at - delivery.created_at) < dt.timedelta(milliseconds=1)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert (delivery.attempts, delivery.status_code, delivery.error) == (1, 200, "")
    assert delivery.duration_ms is not None
    assert delivery.attempted_at is not None


def test_during_a_rotation_both_secrets_sign_and_either_verifies(endpoint, receiver, run_tasks):
    old = endpoint.secret
    endpoint_rotate_secret(endpoint=endpoint)
    assert endpoint.secret != old
    endpoint_send_test(endpoint=endpoint)
    run_tasks()
    header = receiver.requests[-1].headers["X-Newsite-Signature"]
    assert header.count("v1=") == 2
    verify, body = readme_verifier(), receiver.requests[-1].body
    assert verify(header, body, old)
    assert verify(header, body, endpoint.secret)


def test_after_the_overlap_only_the_new_secret_signs(endpoint, receiver, run_tasks):
    old = endpoint.secret
    endpoint_rotate_secret(endpoint=endpoint, overlap=dt.timedelta(hours=1))
    receiver.secrets = [old]  # a receiver that never switched
    endpoint_send_test(endpoint=endpoint)
    run_tasks(later=dt.timedelta(hours=2))
    header = receiver.requests[-1].headers["X-Newsite-Signature"]
    assert header.count("v1=") == 1
    assert not receiver.requests[-1].verified
    assert Delivery.objects.get().status_code == 401


def test_a_failed_attempt_is_retried_with_exponential_backoff(endpoint, receiver, run_tasks):
    receiver.script = [500, 503]
    delivery = endpoint_send_test(endpoint=endpoint)
    start = timezone.now()
    assert run_tasks() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("retrying", 1, 500)
    assert "500" in delivery.error
    queued = DBTaskResult.objects.get(status="READY")
    assert queued.args_kwargs["args"] == [delivery.pk]
    assert dt.timedelta(minutes=2) <= queued.run_after - start < dt.timedelta(minutes=3)

    assert run_tasks(later=dt.timedelta(minutes=1)) == 0  # not due yet
    assert run_tasks(later=dt.timedelta(minutes=3)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("retrying", 2, 503)
    second = DBTaskResult.objects.get(status="READY")
    assert dt.timedelta(minutes=7) <= second.run_after - start < dt.timedelta(minutes=8)

    assert run_tasks(later=dt.timedelta(minutes=8)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("delivered", 3, 200)
    assert delivery.error == ""
    assert delivery.next_attempt_at is None
    assert len(receiver.requests) == 3
    assert len({r.body for r in receiver.requests}) == 1  # the same body each time
    assert all(r.verified for r in receiver.requests)  # each freshly signed


def test_retries_stop_at_the_limit(endpoint, receiver, run_tasks):
    receiver.script = [500] * 20
    delivery = endpoint_send_test(endpoint=endpoint)
    for day in range(1, 12):
        run_tasks(later=dt.timedelta(days=day))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == MAX_ATTEMPTS == len(receiver.requests)
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_a_receiver_that_is_down_is_retried(endpoint, receiver, run_tasks, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    endpoint.url = "http://127.0.0.1:9/nothing-listens-here"
    endpoint.save()
    delivery = endpoint_send_test(endpoint=endpoint)
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETRYING
    assert delivery.error.startswith("No answer:")
    assert delivery.status_code is None


def test_a_slow_receiver_is_cut_off_at_the_timeout(endpoint, receiver, settings):
    settings.WEBHOOK_TIMEOUT = 0.3
    receiver.delay = 1.0
    started = time.monotonic()
    delivery = delivery_attempt(delivery=delivery_create(endpoint=endpoint, event="test", data={}))
    assert time.monotonic() - started < 0.9
    assert delivery.status == Delivery.Status.RETRYING
    assert "No answer" in delivery.error


def test_a_slow_receiver_does_not_hold_up_another_endpoint(
    receiver, second_receiver, run_tasks, settings
):
    """Each endpoint's delivery is its own task: the slow one times out and is retried, the
    other is delivered in the same run."""
    settings.WEBHOOK_TIMEOUT = 0.3
    slow, quick = point_at(receiver, name="Slow"), point_at(second_receiver, name="Quick")
    receiver.delay = 1.0
    deliveries = event_send(event="notice.received", data={"id": 1})
    assert run_tasks() == 2
    assert len(deliveries) == 2
    status = dict(Delivery.objects.values_list("endpoint__name", "status"))
    assert status == {"Slow": "retrying", "Quick": "delivered"}
    assert {slow.pk, quick.pk} == {d.endpoint_id for d in deliveries}


def test_the_log_keeps_the_latest_50_deliveries_per_endpoint(receiver, second_receiver):
    one, other = point_at(receiver), point_at(second_receiver)
    kept_elsewhere = delivery_create(endpoint=other, event="test", data={})
    made = [delivery_create(endpoint=one, event="test", data={"n": n}) for n in range(LOG_SIZE + 7)]
    kept = list(Delivery.objects.filter(endpoint=one).order_by("id").values_list("pk", flat=True))
    assert kept == [d.pk for d in made[-LOG_SIZE:]]
    assert Delivery.objects.filter(pk=kept_elsewhere.pk).exists()


def test_a_trimmed_delivery_is_not_sent(endpoint, receiver):
    delivery = delivery_create(endpoint=endpoint, event="test", data={})
    Delivery.objects.filter(pk=delivery.pk).delete()
    deliver.call(delivery.pk)
    assert receiver.requests == []


def test_a_switched_off_endpoint_gets_no_events_and_stops_retrying(endpoint, receiver, run_tasks):
    receiver.script = [500]
    event_send(event="notice.received", data={"id": 1})
    run_tasks()
    endpoint.is_active = False
    endpoint.save()
    assert event_send(event="notice.received", data={"id": 2}) == []
    run_tasks(later=dt.timedelta(hours=1))
    assert len(receiver.requests) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.error == "The endpoint was switched off."


def test_endpoints_only_get_the_events_they_chose(receiver, second_receiver, run_tasks):
    point_at(receiver, events=["article.published"])
    point_at(second_receiver, events=["notice.received", "comment.created"])
    event_send(event="notice.received", data={"id": 1})
    run_tasks()
    assert receiver.events == []
    assert second_receiver.events == ["notice.received"]


def test_the_body_is_json_with_unicode_kept(endpoint, receiver, run_tasks):
    event_send(event="notice.received", data={"title": "Zürich — 東京"})
    run_tasks()
    body = receiver.requests[0].body
    assert "Zürich — 東京".encode() in body
    assert json.loads(body)["data"] == {"title": "Zürich — 東京"}


def test_rotating_a_secret_needs_no_dns(endpoint):
    with mock.patch("socket.getaddrinfo", side_effect=OSError("DNS is down")):
        endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.previous_secret
    assert endpoint.previous_secret_expires_at > timezone.now()
