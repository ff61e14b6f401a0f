# Django's Arabic formats have no DATETIME_FORMAT (the English default would apply).
DATETIME_FORMAT = "j F Y، H:i"
