"""One vocabulary on every page a reader sees: "Log in" (never "Sign in") and "email" (never
"e-mail"). Greps rendered pages, not templates, so allauth's own pages count too."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.site_pages import build_site, public_paths, reader_paths

pytestmark = pytest.mark.django_db

# "Login" as a noun ("login details") is fine; as a verb ("Login to…", "Login now") it is not.
FORBIDDEN = re.compile(r"\bsign(ed)?[ -]?(in|out)\b|\be-mails?\b|\bLogin (to|now|here)\b", re.I)


def visible_text(html: str) -> str:
    """Text and attribute values a reader can see or hear (no scripts, styles or URLs)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    html = re.sub(r'\s(href|src|action|name|id|class|for|autocomplete)="[^"]*"', " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def offending(client: Client, path: str) -> list[str]:
    response = client.get(path, follow=True)
    return [
        f"{path}: {match.group(0)!r}"
        for match in FORBIDDEN.finditer(visible_text(response.content.decode()))
    ]


def test_pages_say_log_in_and_email():
    article, reader = build_site()
    anonymous = Client()
    problems = [problem for path in public_paths(article) for problem in offending(anonymous, path)]
    problems += offending(anonymous, reverse("account_email_verification_sent"))
    problems += offending(anonymous, "/comments/unsubscribe/not-a-token/")
    signed_in = Client()
    signed_in.force_login(reader)
    for path in [*reader_paths(article), reverse("account_logout"), reverse("accounts:delete")]:
        problems += offending(signed_in, path)
    assert problems == []


def test_the_check_catches_the_old_words():
    assert FORBIDDEN.search("Sign In")
    assert FORBIDDEN.search("we e-mail you")
    assert FORBIDDEN.search("Signed in as")
    assert not FORBIDDEN.search("Log in to post your comment: your draft is saved")
    assert not FORBIDDEN.search("Change email address · login details")
