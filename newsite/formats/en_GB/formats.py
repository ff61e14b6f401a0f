"""One date format for English pages and the newsroom's admin: "5 December 2026, 21:42 UTC".

Django's English default ("Dec. 5, 2026, 9:42 p.m.") differs from the site's own dates and
omits the time zone, which editors scheduling a story need to see. Templates name the format
("DATE_FORMAT"), so each language writes dates its own way.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i T"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
TIME_FORMAT = "H:i"
