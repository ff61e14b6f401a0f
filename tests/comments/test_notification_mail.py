"""Notification mail is plain text plus simple HTML with the Markdown rendered and sanitised,
from the configured sender."""

import re

import pytest
from django.core import mail

from comments import services
from newsite.settings import default_from_email

pytestmark = pytest.mark.django_db

MARKDOWN = (
    "I **strongly** agree, see [the report](https://example.com/r).\n\n<script>alert(1)</script>"
)


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "The Desk <desk@news.example.com>"


def reply_mail(article, reader, other_reader, run_tasks):
    parent = services.comment_create(article=article, author=reader, body="Parent")
    run_tasks()
    services.comment_create(article=article, author=other_reader, body=MARKDOWN, parent=parent)
    run_tasks()
    [message] = [m for m in mail.outbox if m.to == [reader.email]]
    return message


def test_reply_mail_has_plain_text_and_sanitised_html(
    rules, article, reader, other_reader, run_tasks
):
    message = reply_mail(article, reader, other_reader, run_tasks)
    assert message.from_email == "The Desk <desk@news.example.com>"
    assert "I **strongly** agree" in message.body  # the plain part keeps the reader's words
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert "<strong>strongly</strong>" in html
    assert 'href="https://example.com/r"' in html
    assert "<script" not in html
    assert "Grace replied to your comment on" in html
    assert "/unsubscribe/" in html
    assert html.lstrip().lower().startswith("<!doctype html>")
    # Simple HTML: no inline styles, no style sheets, no images that would track opens.
    assert not re.search(r"<style|style=|<img", html)


def test_html_escapes_names_and_titles(rules, article, reader, other_reader, run_tasks):
    other_reader.display_name = "<b>Grace</b>"
    other_reader.save()
    article.title = "Ports & <harbours>"
    article.save()
    [(html, _kind)] = reply_mail(article, reader, other_reader, run_tasks).alternatives
    assert "&lt;b&gt;Grace&lt;/b&gt;" in html
    assert "Ports &amp; &lt;harbours&gt;" in html


def test_plain_text_says_email_not_e_mail(rules, article, reader, other_reader, run_tasks):
    message = reply_mail(article, reader, other_reader, run_tasks)
    assert "Stop these emails with one click:" in message.body
    assert "e-mail" not in message.body.lower()


@pytest.mark.parametrize(
    ("site_url", "sender"),
    [
        ("https://news.example.com", "newsite <noreply@news.example.com>"),
        ("https://news.example.com:8443/", "newsite <noreply@news.example.com>"),
        ("http://127.0.0.1:8000", "newsite <noreply@newsite.invalid>"),
        ("http://[::1]:8000", "newsite <noreply@newsite.invalid>"),
        ("http://localhost:8000", "newsite <noreply@localhost.invalid>"),
    ],
)
def test_default_sender_comes_from_the_site_host(site_url, sender):
    assert default_from_email(site_url, "newsite") == sender
    assert "@localhost>" not in default_from_email(site_url, "newsite")
