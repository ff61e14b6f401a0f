"""Comment Markdown: the site's renderer with a narrower allowlist than articles get."""

from newsite.markdown import render_markdown

COMMENT_TAGS = frozenset({"p", "br", "em", "strong", "a", "blockquote", "code", "pre"})
# Readers' links earn no search credit and cannot reach back into this window.
COMMENT_LINK_REL = "nofollow ugc noopener"


def render_comment_markdown(source: str) -> str:
    return render_markdown(source, tags=COMMENT_TAGS, link_rel=COMMENT_LINK_REL)
