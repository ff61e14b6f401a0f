"""The admin index's newsroom panel: what is still waiting for a moderator, with links to it."""

from django import template
from django.contrib.admin.models import LogEntry
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comments.models import Comment

register = template.Library()

Status = Comment.Status


@register.inclusion_tag("admin/newsroom_dashboard.html", takes_context=True)
def newsroom_dashboard(context) -> dict:
    """Honest counts: only work still to do (Comment.objects.awaiting_decision), so decided
    comments and comments their authors deleted are not counted."""
    request = context["request"]
    if not request.user.has_perm("comments.view_comment"):
        return {"show": False}
    counts = Comment.objects.awaiting_decision().aggregate(
        pending=Count("pk", filter=Q(status__in=[Status.PENDING, Status.HIDDEN])),
        reported=Count("pk", filter=Q(status=Status.PUBLISHED)),
        spam=Count("pk", filter=Q(status=Status.SPAM)),
        review=Count("pk", filter=Q(review_requested_at__isnull=False)),
    )
    return {
        "show": True,
        "rows": [
            ("pending", counts["pending"], _("held or hidden, awaiting a decision")),
            ("reported", counts["reported"], _("reported or suspect, still published")),
            ("spam", counts["spam"], _("caught as spam, to confirm")),
            ("review", counts["review"], _("with a review requested by the author")),
        ],
        "total": sum(counts[key] for key in ("pending", "reported", "spam")),
        "cards": reverse("admin:comments_comment_cards"),
        "can_decide": request.user.has_perm("comments.change_comment"),
    }


@register.simple_tag(takes_context=True)
def recent_actions(context, limit: int = 10) -> list[tuple[LogEntry, str]]:
    """The admin index's "My actions", each linked only where its user may open the object:
    a moderator who banned a reader logged a change to a user account they cannot view, and
    that link would answer 403. Entries of deleted objects are never linked."""
    user = context["request"].user
    entries = (
        LogEntry.objects.filter(user=user).select_related("content_type").order_by("-action_time")
    )[:limit]
    rows = []
    for entry in entries:
        url = ""
        content_type = entry.content_type
        if content_type and not entry.is_deletion():
            label, model = content_type.app_label, content_type.model
            if user.has_perm(f"{label}.change_{model}") or user.has_perm(f"{label}.view_{model}"):
                url = entry.get_admin_url() or ""
        rows.append((entry, url))
    return rows
