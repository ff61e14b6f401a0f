"""The comment pipeline survives arbitrary text: it saves a safe comment or refuses it clearly."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.rendering import COMMENT_TAGS, render_comment_markdown
from comments.services import CommentError, comment_create
from tests.comments.test_rendering import parse, url_is_safe
from tests.factories import ArticleFactory, UserFactory, relaxed_moderation

MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("ab <>[]()!*_`#>-=:/\\\"'&;\n\t\x00\u200b\u202ejavscript")),
    max_size=300,
)
BODIES = st.one_of(st.text(max_size=400), MARKDOWNISH)


def assert_safe(html: str) -> None:
    for tag, attrs in parse(html):
        assert tag in COMMENT_TAGS
        for name, value in attrs:
            assert not name.startswith("on")
            if name == "href":
                assert url_is_safe(value or "")


@settings(max_examples=400, deadline=None)
@given(BODIES)
def test_rendering_any_text_gives_allowlisted_html(body):
    assert_safe(render_comment_markdown(body))


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES)
def test_posting_any_text_saves_or_refuses_cleanly(body):
    relaxed_moderation(user_rate_limit=1_000_000, ip_rate_limit=1_000_000)
    article = ArticleFactory()
    try:
        comment = comment_create(article=article, author=UserFactory(), body=body)
    except CommentError as refusal:
        assert refusal.message
        return
    assert comment.pk
    assert_safe(comment.body_html)


NAUGHTY = Path(__file__).resolve().parents[1] / "data" / "naughty-strings.txt"


@pytest.mark.django_db
def test_naughty_strings_post_render_and_search_cleanly(client):
    """The big list of naughty strings: each saves or is refused, renders, and searches."""
    strings = [line for line in NAUGHTY.read_text(encoding="utf-8").splitlines()[1:] if line]
    relaxed_moderation(user_rate_limit=1_000_000, ip_rate_limit=1_000_000)
    article = ArticleFactory()
    author = UserFactory()
    saved = 0
    for text in strings:
        try:
            comment = comment_create(article=article, author=author, body=text)
        except CommentError as refusal:
            assert refusal.message
            continue
        assert_safe(comment.body_html)
        saved += 1
        assert client.get("/search/", {"q": text}).status_code == 200
    assert saved > len(strings) // 2
    assert client.get(article.get_absolute_url()).status_code == 200
