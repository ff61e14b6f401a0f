"""What a comment card shows of its author without leaking anything: initials and a colour.

No Gravatar: its hash of the address identifies the author across sites. The colour is a
stable hash of the public name, so a name keeps its colour on every page and after a restart
(Python's own hash() is salted per process).
"""

import time
import zlib
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

register = template.Library()

# static/css/site.css defines .avatar--tone-1 … --tone-8, each with AA contrast for its initials.
AVATAR_TONES = 8


@register.filter
def initials(name: str) -> str:
    """Up to two letters: the first of the first and the last word ("Ada Lovelace" -> "AL")."""
    words = [word for word in str(name).split() if word[:1].isalnum()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


@register.filter
def avatar_tone(name: str) -> int:
    """1 … AVATAR_TONES, the same for the same name everywhere."""
    return zlib.crc32(str(name).casefold().encode()) % AVATAR_TONES + 1


# Relative times are exact to the minute only in the first hour; a cached card may be up to
# CARD_TIME_BUCKET_SECONDS old, and comments.js corrects the text from `datetime` anyway.
CARD_TIME_BUCKET_SECONDS = 600


@register.simple_tag
def card_time_bucket() -> int:
    """Part of a card's cache key (and the clock of the pages that show cards), so that its
    relative time is renewed every few minutes."""
    return int(time.time() // CARD_TIME_BUCKET_SECONDS)


@register.filter
def relative_time(moment: datetime | None) -> str:
    """ "just now", "5 min ago", "2 h ago", "3 d ago" within a week; the date after that."""
    if moment is None:
        return ""
    seconds = max((timezone.now() - moment).total_seconds(), 0)
    if seconds < 60:
        return gettext("just now")
    if seconds < 3600:
        minutes = int(seconds // 60)
        return ngettext("%(count)d min ago", "%(count)d min ago", minutes) % {"count": minutes}
    if seconds < 86400:
        hours = int(seconds // 3600)
        return ngettext("%(count)d h ago", "%(count)d h ago", hours) % {"count": hours}
    if seconds < 7 * 86400:
        days = int(seconds // 86400)
        return ngettext("%(count)d d ago", "%(count)d d ago", days) % {"count": days}
    return date_format(timezone.localtime(moment), "DATE_FORMAT")
