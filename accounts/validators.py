import unicodedata

from django.core.exceptions import ValidationError


def validate_display_name(value: str) -> None:
    """Refuse names that render as nothing or hide text direction tricks.

    Templates escape every display name, so this is not about markup: it stops blank-looking
    names and control / bidi-override characters that make one reader look like another.
    """
    if not value.strip():
        raise ValidationError("Enter a name other readers can see.", code="blank")
    if any(unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs"} for char in value):
        raise ValidationError(
            "Use letters, numbers, spaces and punctuation only.", code="invisible"
        )
