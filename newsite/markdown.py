"""Markdown to safe HTML: markdown-it-py renders (raw HTML off), nh3 sanitises by allowlist.

Rendering happens once, on save; templates print the stored HTML. Never sanitise by regex.
"""

from functools import cache

import nh3
from markdown_it import MarkdownIt

URL_SCHEMES = frozenset({"http", "https", "mailto"})

ARTICLE_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "blockquote", "code", "pre", "ul", "ol", "li", "hr"}
    | {"h2", "h3", "h4"}
)


@cache
def _parser() -> MarkdownIt:
    # "js-default" is CommonMark without raw HTML passthrough.
    return MarkdownIt("js-default")


def render_markdown(
    source: str,
    *,
    tags: frozenset[str],
    link_rel: str = "noopener",
) -> str:
    html = _parser().render(source)
    return nh3.clean(
        html,
        tags=set(tags),
        attributes={"a": {"href", "title"}},
        url_schemes=set(URL_SCHEMES),
        link_rel=link_rel,
        # Relative URLs are refused: nh3 would otherwise keep e.g. "javascript\u200b:" links.
        url_relative="deny",
        strip_comments=True,
    )


def render_article_markdown(source: str) -> str:
    """Article bodies: written by editors, still sanitised in case a seed carries markup."""
    return render_markdown(source, tags=ARTICLE_TAGS)


# Characters that would start Markdown syntax in plain scraped text.
_INLINE_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~"})


def escape_markdown(text: str) -> str:
    """Escape plain text so Markdown renders it literally (used for plain-text seeds)."""
    escaped = text.translate(_INLINE_SPECIALS)
    stripped = escaped.lstrip()
    if stripped[:1] in {"#", "+", "-", "=", ">"}:
        escaped = escaped.replace(stripped[0], "\\" + stripped[0], 1)
    head, dot, _ = stripped.partition(".")
    if dot and head.isdigit():
        escaped = escaped.replace(head + ".", head + "\\.", 1)
    head, paren, _ = stripped.partition(")")
    if paren and head.isdigit():
        escaped = escaped.replace(head + ")", head + "\\)", 1)
    return escaped
