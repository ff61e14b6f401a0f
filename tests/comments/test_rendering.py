"""Comment Markdown is rendered once on save and sanitised by allowlist, never by regex."""

from html.parser import HTMLParser
from pathlib import Path

import pytest

from comments.rendering import COMMENT_TAGS, render_comment_markdown

# A copy of the team's corpus (shared/testdata), so the suite runs wherever the repo is cloned.
PAYLOADS = Path(__file__).resolve().parents[1] / "data" / "xss-payloads.txt"
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")


class Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def parse(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = Collector()
    collector.feed(html)
    collector.close()
    return collector.tags


def payload_lines() -> list[str]:
    lines = PAYLOADS.read_text(encoding="utf-8").splitlines()[1:]  # skip the header line
    return [line for line in lines if line.strip()]


def url_is_safe(url: str) -> bool:
    # Browsers drop control characters and whitespace inside a scheme before acting on it.
    squashed = "".join(ch for ch in url if ord(ch) > 32 and ch not in "\u200b\ufeff").lower()
    return squashed.startswith(("http://", "https://", "mailto:")) and not squashed.startswith(
        DANGEROUS_SCHEMES
    )


def assert_safe(html: str) -> None:
    for tag, attrs in parse(html):
        assert tag in COMMENT_TAGS, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (name, html)
            assert name in {"href", "title", "rel"}, (name, html)
            if name == "href":
                assert url_is_safe(value or ""), (value, html)
            if name == "rel":
                assert value == "nofollow ugc noopener"


def test_payload_file_is_there_and_not_trivial():
    assert len(payload_lines()) > 200


@pytest.mark.parametrize("payload", payload_lines())
def test_every_xss_payload_renders_safe(payload):
    assert_safe(render_comment_markdown(payload))
    # Also as a link target and inside the Markdown constructs readers may use.
    assert_safe(render_comment_markdown(f"[click me]({payload})"))
    assert_safe(render_comment_markdown(f"> {payload}\n\n`{payload}`"))


@pytest.mark.django_db
def test_every_payload_through_the_service_is_stored_safe(rules, article, reader):
    """The pipeline end to end: comment_create, model save, the body_html the page prints."""
    from comments import services
    from comments.models import Comment

    rules.max_links = 1000
    rules.user_rate_limit = 10_000
    rules.save()
    lines = payload_lines()
    for number, payload in enumerate(lines):
        # A counter line keeps repeated payloads from tripping the duplicate rule.
        services.comment_create(article=article, author=reader, body=f"{payload}\n\n{number}")
    stored = list(Comment.objects.values_list("body_html", flat=True))
    assert len(stored) == len(lines)
    for html in stored:
        assert_safe(html)


def test_allowed_markdown_survives():
    html = render_comment_markdown(
        "*em* **strong** [link](https://example.com)\n\n> quote\n\n`code`\n\n```\nblock\n```"
    )
    tags = {tag for tag, _ in parse(html)}
    assert tags == {"p", "em", "strong", "a", "blockquote", "code", "pre"}
    assert '<a href="https://example.com" rel="nofollow ugc noopener">link</a>' in html


def test_everything_else_is_escaped_or_dropped():
    html = render_comment_markdown("# Heading\n\n- item\n\n<b>raw</b> ![img](https://x.test/a.png)")
    tags = {tag for tag, _ in parse(html)}
    assert tags <= {"p"}
    assert "&lt;b&gt;raw&lt;/b&gt;" in html
    assert "<img" not in html


def test_relative_and_zero_width_links_are_refused():
    html = render_comment_markdown("[a](/admin/) [b](javascript\u200b:alert(1))")
    assert "href" not in html
