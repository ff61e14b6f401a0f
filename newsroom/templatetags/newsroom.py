"""The admin index's newsroom panel: what is waiting for a moderator, with links to it."""

from django import template
from django.db.models import Count, Q
from django.urls import reverse

from comments.models import Comment

register = template.Library()


@register.inclusion_tag("admin/newsroom_dashboard.html", takes_context=True)
def newsroom_dashboard(context) -> dict:
    request = context["request"]
    if not request.user.has_perm("comments.view_comment"):
        return {"show": False}
    Status = Comment.Status
    counts = Comment.objects.aggregate(
        pending=Count("pk", filter=Q(status__in=[Status.PENDING, Status.HIDDEN])),
        reported=Count("pk", filter=Q(report_count__gt=0, status=Status.PUBLISHED)),
        spam=Count("pk", filter=Q(status=Status.SPAM)),
    )
    changelist = reverse("admin:comments_comment_changelist")
    return {
        "show": True,
        "rows": [
            ("pending", counts["pending"], "awaiting moderation or hidden", "pending"),
            ("reported", counts["reported"], "reported but still published", "reported"),
            ("spam", counts["spam"], "marked as spam", "spam"),
        ],
        "changelist": changelist,
    }
