# The site's English dates, as its pages have always written them: 5 December 2026, 21:36.
# Templates name the format ("DATE_FORMAT"), so each language writes dates its own way.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
