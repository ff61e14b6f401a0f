"""A Note's HTML becomes comment Markdown, and what readers get is our sanitiser's output:
links (mentions, hashtags) with rel="nofollow ugc", and nothing that runs."""

import pytest

from comments.rendering import render_comment_markdown
from federation.content import note_to_markdown
from tests.comments.test_rendering import parse, payload_lines, url_is_safe

SAFE_TAGS = {"p", "br", "em", "strong", "a", "blockquote", "code", "pre"}
MASTODON_REPLY = (
    '<p><span class="h-card" translate="no"><a href="https://news.example/@news" '
    'class="u-url mention">@<span>news</span></a></span> Good reporting. '
    '<a href="https://mastodon.example/tags/privacy" class="mention hashtag" rel="tag">'
    "#<span>privacy</span></a></p>"
)


def rendered(html: str, **kwargs) -> str:
    return render_comment_markdown(note_to_markdown(html, **kwargs))


def test_mentions_and_hashtags_become_nofollow_ugc_links():
    html = rendered(MASTODON_REPLY)
    assert '<a href="https://news.example/@news" rel="nofollow ugc noopener">@news</a>' in html
    assert (
        '<a href="https://mastodon.example/tags/privacy" rel="nofollow ugc noopener">'
        "#privacy</a>" in html
    )
    assert "class=" not in html
    assert "span" not in html


def test_the_mention_of_this_site_is_dropped():
    markdown = note_to_markdown(
        MASTODON_REPLY, is_dropped=lambda href, text: text == "@news" and "news.example" in href
    )
    assert markdown.startswith("Good reporting.")


def test_shape_is_kept():
    html = rendered(
        "<p>one<br>two</p><p><strong>bold</strong> <em>it</em> <code>x()</code></p>"
        "<blockquote><p>quoted</p></blockquote>"
    )
    assert "<p>one<br>\ntwo</p>" in html
    assert "<strong>bold</strong> <em>it</em> <code>x()</code>" in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html


@pytest.mark.parametrize(
    "text", ["# heading", "1. item", "- dash", "*stars*", "[a](http://x)", "<b>", "&amp;lt;"]
)
def test_markdown_in_remote_text_stays_text(text):
    # The text node holds the characters literally: Markdown must not reinterpret them.
    html = rendered(f"<p>{text.replace('<', '&lt;')}</p>")
    assert parse(html) == [("p", [])]


def test_markdown_in_text_round_trips():
    assert rendered("<p># not a heading *really*</p>") == "<p># not a heading *really*</p>\n"


@pytest.mark.parametrize("payload", payload_lines())
def test_xss_payloads_come_out_harmless(payload):
    for html in (payload, f"<p>{payload}</p>", f'<a href="{payload}">x</a>'):
        for tag, attrs in parse(rendered(html)):
            assert tag in SAFE_TAGS, (payload, tag)
            for name, value in attrs:
                assert name in {"href", "rel"}, (payload, name)
                if name == "href":
                    assert url_is_safe(value), (payload, value)
                    assert value.startswith(("http://", "https://", "mailto:")), value


def test_empty_and_missing_content():
    assert note_to_markdown("") == ""
    assert note_to_markdown("<p> </p><script>x</script>") == ""
