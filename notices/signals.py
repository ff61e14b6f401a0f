"""A statement of reasons for every moderation log entry that restricts a comment, whoever
made it (a moderator, a rule, a notice decision), without touching comments' own code."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from comments.models import ModerationAction
from newsite import pagecache

from .models import CommunityGuidelines, Notice, NoticeDecision
from .services import statement_issue_for_action


@receiver(post_save, sender=ModerationAction, dispatch_uid="notices_statement_of_reasons")
def moderation_action_logged(sender, instance: ModerationAction, created: bool, **kwargs) -> None:
    if created and not kwargs.get("raw"):
        statement_issue_for_action(action=instance)


@receiver(post_save, sender=CommunityGuidelines, dispatch_uid="notices_guidelines_changed")
def guidelines_changed(sender, **kwargs) -> None:
    # The guidelines page is kept by the anonymous page cache under the site version.
    pagecache.invalidate(pagecache.SITE)


@receiver(post_save, sender=Notice, dispatch_uid="notices_notice_changed")
@receiver(post_save, sender=NoticeDecision, dispatch_uid="notices_decision_made")
def notices_changed(sender, **kwargs) -> None:
    # The public moderation record counts notices and how they were decided.
    pagecache.invalidate(pagecache.NOTICES)
