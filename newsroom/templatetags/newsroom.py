"""The admin index's newsroom panel: what is still waiting for a moderator, with links to it."""

from django import template
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
