"""Muting a commenter: for the reader who mutes alone, the commenter's comments are collapsed
behind "Muted: show" and never reach them by mail (at once or in a digest).

Staff (journalists, moderators) cannot be muted: their replies carry corrections, answers and
moderation notes a reader should not lose by one click, and a mute made before someone joined
the staff is ignored. Mutes never touch the admin: a moderator who mutes a reader still sees
every comment of theirs in the moderation queue.

The reader's mute count is kept on their account (User.mute_count), which the request loads
anyway: the article page asks for mutes only when the reader has some.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy

from . import ratelimit
from .models import Mute
from .services import CommentError

# Mutes and unmutes one reader may make per minute.
MUTES_PER_MINUTE = 20


class CannotMute(CommentError):
    message = gettext_lazy("You cannot mute this commenter.")


class MutingTooOften(CommentError):
    message = gettext_lazy("You are muting and unmuting too quickly. Please wait a minute.")


def _count_hit(user) -> None:
    if not ratelimit.hit(f"mute:{user.pk}", limit=MUTES_PER_MINUTE, window=60):
        raise MutingTooOften


@transaction.atomic
def mute_create(*, user, muted) -> Mute:
    """Mute `muted` for `user`; muting twice keeps one mute."""
    if muted is None:
        raise CannotMute("This comment's author has deleted their account.")
    if muted.pk == user.pk:
        raise CannotMute("You cannot mute yourself.")
    if muted.is_staff:
        raise CannotMute("Journalists and moderators cannot be muted.")
    _count_hit(user)
    existing = Mute.objects.filter(user=user, muted=muted).first()
    if existing is not None:
        return existing
    mute = Mute(user=user, muted=muted)
    mute.full_clean()
    mute.save()
    get_user_model().objects.filter(pk=user.pk).update(mute_count=F("mute_count") + 1)
    user.mute_count += 1
    return mute


@transaction.atomic
def mute_delete(*, user, mute: Mute) -> None:
    """Unmute: only the reader who muted may (the view finds `mute` among theirs)."""
    if mute.user_id != user.pk:
        raise CannotMute("That is not one of your mutes.")
    _count_hit(user)
    deleted, _ = Mute.objects.filter(pk=mute.pk).delete()
    if deleted:
        get_user_model().objects.filter(pk=user.pk, mute_count__gt=0).update(
            mute_count=F("mute_count") - 1
        )
        user.mute_count = max(user.mute_count - 1, 0)


def muted_author_ids(user, author_ids) -> dict[int, int]:
    """Of these authors, those `user` muted, each with the mute's id (for an Unmute button).

    No query at all for a reader who has muted nobody (or is not signed in).
    """
    if not (user.is_authenticated and user.mute_count):
        return {}
    ids = {pk for pk in author_ids if pk}
    if not ids:
        return {}
    return dict(
        Mute.objects.filter(user=user, muted_id__in=ids, muted__is_staff=False)
        .order_by()
        .values_list("muted_id", "id")
    )


def muting_user_ids(author_id: int | None) -> set[int]:
    """Readers who muted this author: none of them is mailed about the author's comments."""
    if not author_id:
        return set()
    return set(
        Mute.objects.filter(muted_id=author_id, muted__is_staff=False).values_list(
            "user_id", flat=True
        )
    )
