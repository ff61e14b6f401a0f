"""Federation work in the task worker: each delivery is its own task, so one slow or unreachable
server holds up no other; a failed attempt queues the next one itself."""

from __future__ import annotations

from django.utils import timezone

# Django 6: `from django.tasks import task`, the same API.
from django_tasks import task

from .models import Delivery
from .services import BUSY_DELAY, delivery_attempt


@task()
def deliver(delivery_id: int) -> None:
    """Attempt one delivery: sent, or failed for good, or queued again for its next attempt
    (or shortly, when its server already has enough deliveries under way)."""
    delivery = Delivery.objects.filter(pk=delivery_id, state=Delivery.State.PENDING).first()
    if delivery is None:
        return  # already sent or given up on
    if not delivery_attempt(delivery=delivery):
        deliver.using(run_after=timezone.now() + BUSY_DELAY).enqueue(delivery_id)
    elif delivery.state == Delivery.State.PENDING:
        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery_id)


@task()
def article_changed(article_id: int, kind: str) -> None:
    """Tell followers an article was created or updated (built in the worker: a request pays
    for no follower query)."""
    from articles.models import Article

    from .services import article_activity, deliver_to_followers

    article = Article.objects.filter(pk=article_id).first()
    if article is None or not article.is_published:
        return  # withdrawn since; its Delete is queued by that change
    deliver_to_followers(article_activity(kind, article))


@task()
def article_gone(article_id: int, slug: str) -> None:
    """Tell followers an article is no longer there (unpublished or deleted)."""
    from articles.models import Article

    from .services import article_activity, deliver_to_followers

    article = Article.objects.filter(pk=article_id).first()
    if article is not None and article.is_published:
        return  # published again since
    deliver_to_followers(article_activity("Delete", article or Article(slug=slug)))


@task()
def publish_scheduled(article_id: int, published_at: str) -> None:
    """A scheduled article's moment has come: send Create if it is still due for then."""
    from articles.services import article_due

    if article_due(article_id, published_at):
        article_changed.call(article_id, "Create")
