"""The task worker sends each delivery as its own task, so one slow or unreachable receiver
holds up no other endpoint's deliveries; a failed attempt queues the next one itself."""

from __future__ import annotations

# Django 6: `from django.tasks import task`, the same API.
from django_tasks import task

from .models import Delivery
from .services import delivery_attempt


@task()
def deliver(delivery_id: int) -> None:
    """Attempt one delivery; if it is to be retried, queue this task again for then.

    A failed attempt is recorded on the Delivery (its log in the admin), not raised: a
    receiver being down is not a bug of ours.
    """
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.is_finished:
        return  # trimmed from the log, or already done
    delivery_attempt(delivery=delivery)
    if delivery.status == Delivery.Status.RETRYING:
        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery_id)


@task()
def publish_scheduled(article_id: int, published_at: str) -> None:
    """A scheduled article's moment has come: send article.published if it is still due."""
    from articles.services import article_due

    from . import payloads
    from .models import Event
    from .services import event_send

    if article := article_due(article_id, published_at):
        event_send(event=Event.ARTICLE_PUBLISHED, data=payloads.article_snapshot(article))
