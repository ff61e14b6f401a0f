"""Writes (and the one composed read, the data export) for a reader's own account."""

import datetime
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from comments.services import comment_delete, comment_unlike

from .models import User


def user_update_profile(
    *,
    user: User,
    display_name: str,
    reply_mail: str | None = None,
    followed_mail: str | None = None,
    staff_reply_mail: str | None = None,
    notify_on_pick: bool | None = None,
) -> User:
    """Name and e-mail settings from the profile page (a setting left as None is kept).

    Each kind of comment mail is a MailFrequency: immediately, a daily or weekly digest
    (comments.digests), or off.
    """
    fields = []
    for name, value in (
        ("reply_mail", reply_mail),
        ("followed_mail", followed_mail),
        ("staff_reply_mail", staff_reply_mail),
        ("notify_on_pick", notify_on_pick),
    ):
        if value is not None:
            setattr(user, name, value)
            fields.append(name)
    # Only a new name renews the pages that show it (comments.signals). Compared with the
    # stored name: a ModelForm has already set the new one on `user`.
    stored = User.objects.filter(pk=user.pk).values_list("display_name", flat=True).first()
    if display_name.strip() != stored:
        fields.append("display_name")
    user.display_name = display_name.strip()
    user.full_clean()
    if fields:
        user.save(update_fields=fields)
    return user


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


# The apps whose rows about a reader the export finds by their relations to the user.
EXPORTED_APPS = ("comments", "notices", "portability")
# Exported on their own terms (user_export_data): a reader's mutes name whom they muted, and
# nobody learns who muted them.
NOT_FOUND_BY_RELATION = {("comments", "mute")}


def _other_records(user: User) -> dict[str, list[dict[str, Any]]]:
    """Likes, reports, follows, statements of reasons…: every other row of the discussion's
    apps that points at this reader.

    Found from the model relations rather than named one by one, so a new kind of record these
    apps add is exported without anyone remembering to come back here.
    """
    records: dict[str, list[dict[str, Any]]] = {}
    comment_model = apps.get_model("comments", "Comment")
    models = [model for app in EXPORTED_APPS for model in apps.get_app_config(app).get_models()]
    for model in models:
        if (model._meta.app_label, model._meta.model_name) in NOT_FOUND_BY_RELATION:
            continue
        for field in model._meta.concrete_fields:
            if not (field.is_relation and field.related_model is User):
                continue
            if model is comment_model and field.name == "author":
                continue
            rows = model._default_manager.filter(**{field.name: user}).order_by("pk")
            key = str(model._meta.verbose_name_plural)
            records.setdefault(key, []).extend(
                {
                    f.name: _plain(getattr(obj, f.attname))
                    for f in model._meta.concrete_fields
                    if not (f.is_relation and f.related_model is User)
                }
                for obj in rows
            )
    return records


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything newsite holds about one reader, as plain JSON-ready data (GDPR Art. 20)."""
    comments = user.comments.select_related("article").order_by("created_at", "pk")
    return {
        "exported_at": timezone.now().isoformat(),
        "site": settings.SITE_URL,
        "profile": {
            "id": user.pk,
            "email": user.email,
            "display_name": user.display_name,
            "public_name": user.public_name,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "reply_mail": user.reply_mail,
            "followed_mail": user.followed_mail,
            "staff_reply_mail": user.staff_reply_mail,
            "notify_on_pick": user.notify_on_pick,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "social_accounts": [
            {"provider": account.provider, "uid": account.uid}
            for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "comments": [
            {
                "id": comment.pk,
                "article": comment.article.title,
                "article_url": f"{settings.SITE_URL}{comment.article.get_absolute_url()}",
                "url": f"{settings.SITE_URL}{comment.article.get_absolute_url()}#{comment.anchor}",
                "parent_id": comment.parent_id,
                "body": comment.body,
                "status": comment.status,
                "created_at": _plain(comment.created_at),
                "edited_at": _plain(comment.edited_at),
                "deleted_at": _plain(comment.deleted_at),
            }
            for comment in comments
        ],
        **_other_records(user),
        "muted commenters": [
            {"name": mute.muted.public_name, "muted_at": _plain(mute.created_at)}
            for mute in user.mutes.select_related("muted").order_by("pk")
        ],
        # Notices name their sender by address, not account.
        "notices sent": [
            {
                "reference": notice.reference,
                "received_at": _plain(notice.received_at),
                "state": notice.state,
                "ground": notice.ground,
                "explanation": notice.explanation,
                "location_url": notice.location_url,
            }
            for notice in apps.get_model("notices", "Notice")
            .objects.filter(sender_email__iexact=user.email)
            .order_by("pk")
        ],
    }


@transaction.atomic
def user_delete(*, user: User, erase_comments: bool) -> None:
    """Delete the account; its comments either stay as "deleted user" or are erased first.

    Either way the comment rows survive with author set NULL (the model's SET_NULL), so reply
    threads keep their shape. Erasing goes through the comments service's own soft delete, so
    the text leaves the site exactly as when a reader deletes one comment (the service keeps
    the last body as a moderator-only revision, for abuse handling). Likes are withdrawn
    through the service so like counts stay true; reports stay counted, so deleting an account
    cannot undo moderation.
    """
    if erase_comments:
        for comment in user.comments.filter(deleted_at__isnull=True).select_for_update():
            comment_delete(comment=comment, user=user)
    for like in user.comment_likes.select_related("comment"):
        comment_unlike(comment=like.comment, user=user)
    user.delete()


# --- posting restrictions (the newsroom admin calls these; comments.services enforces them) ---


class RestrictionError(Exception):
    """A suspension or ban that a moderator may not apply; the message is safe to show."""


def _clean_fields(user: User, *names: str) -> None:
    """Validate only what a restriction changes: an old account's other fields may predate
    today's rules, and that must not stop a moderator banning it."""
    others = [f.name for f in User._meta.fields if f.name not in names]
    user.full_clean(exclude=others, validate_unique=False, validate_constraints=False)


def _ensure_may_restrict(*, user: User, moderator: User) -> None:
    if not (
        moderator.is_authenticated
        and moderator.is_staff
        and (
            moderator.has_perm("comments.moderate_comment")
            or moderator.has_perm("comments.change_comment")
        )
    ):
        raise RestrictionError(gettext("Only comment moderators can suspend or ban readers."))
    if user.is_staff or user.is_superuser:
        raise RestrictionError(
            gettext("%(user)s is staff: change their account, not their posting.") % {"user": user}
        )


def user_suspend(*, user: User, until: datetime.datetime, moderator: User) -> User:
    """Stop this reader posting comments until `until` (comments.services.ensure_can_post)."""
    _ensure_may_restrict(user=user, moderator=moderator)
    if until <= timezone.now():
        raise RestrictionError(gettext("A suspension must end in the future."))
    user.posting_suspended_until = until
    _clean_fields(user, "posting_suspended_until")
    user.save(update_fields=["posting_suspended_until"])
    return user


def user_ban(*, user: User, moderator: User) -> User:
    """Stop this reader posting comments for good (until a moderator lifts it)."""
    _ensure_may_restrict(user=user, moderator=moderator)
    user.is_banned = True
    _clean_fields(user, "is_banned")
    user.save(update_fields=["is_banned"])
    return user


def user_lift_restrictions(*, user: User, moderator: User) -> User:
    _ensure_may_restrict(user=user, moderator=moderator)
    user.is_banned = False
    user.posting_suspended_until = None
    _clean_fields(user, "is_banned", "posting_suspended_until")
    user.save(update_fields=["is_banned", "posting_suspended_until"])
    return user
