"""Imported HTML keeps links, emphasis, quotes and code, and loses everything else."""

import pytest

from comments.rendering import render_comment_markdown
from portability.html import html_to_markdown


def rendered(html: str) -> str:
    return render_comment_markdown(html_to_markdown(html))


@pytest.mark.parametrize(
    "attack",
    [
        '<a href="javascript:alert(1)">click</a>',
        '<a href="JaVaScRiPt:alert(1)">click</a>',
        "<img src=x onerror=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<iframe src=https://evil.example></iframe>",
        '<p style="background:url(javascript:alert(1))" onclick="alert(1)">text</p>',
        "[click](javascript:alert(1))",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        '<a href="https://ok.example" onmouseover="alert(1)">ok</a>',
    ],
)
def test_nothing_executable_survives(attack):
    html = rendered(attack)
    assert 'href="javascript' not in html.lower()
    assert "<script" not in html
    assert "onerror" not in html
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "style=" not in html


def test_allowed_markup_survives():
    html = rendered(
        "<p>Say <strong>no</strong> to <i>that</i>, see "
        '<a href="https://example.org/a_(b)">the page</a>.</p>'
        "<blockquote><p>A quote with <code>x &lt; y</code></p></blockquote>"
        "<pre><code>for i in range(3):\n    print(i)</code></pre>"
    )
    assert "<strong>no</strong>" in html
    assert "<em>that</em>" in html
    assert (
        '<a href="https://example.org/a_%28b%29" rel="nofollow ugc noopener">the page</a>' in html
    )
    assert "<blockquote>" in html
    assert "<code>x &lt; y</code>" in html
    assert "<pre><code>for i in range(3):\n    print(i)\n</code></pre>" in html


def test_plain_text_stays_text():
    assert html_to_markdown("2 * 3 = 6 and _not_ emphasis # or a heading") == (
        r"2 \* 3 = 6 and \_not\_ emphasis # or a heading"
    )
    assert rendered("<code>a `tick` and \\ * _</code>") == (
        "<p><code>a `tick` and \\ * _</code></p>\n"
    )
    assert rendered("1. not a list\n\n- nor this") == "<p>1. not a list</p>\n<p>- nor this</p>\n"
