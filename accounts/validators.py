import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs"})


def strip_hidden_characters(value: str) -> str:
    """For names we receive rather than ask for (social providers): drop what we would refuse."""
    return "".join(char for char in value if unicodedata.category(char) not in HIDDEN_CATEGORIES)


def validate_display_name(value: str) -> None:
    """Refuse names that render as nothing or hide text direction tricks.

    Templates escape every display name, so this is not about markup: it stops blank-looking
    names and control / bidi-override characters that make one reader look like another.
    """
    if not value.strip():
        raise ValidationError(_("Enter a name other readers can see."), code="blank")
    if any(unicodedata.category(char) in HIDDEN_CATEGORIES for char in value):
        raise ValidationError(
            _("Use letters, numbers, spaces and punctuation only."), code="invisible"
        )
