"""Comment Markdown: the site's renderer with a narrower allowlist than articles get."""

import functools
import re
from html.parser import HTMLParser

from newsite.markdown import render_markdown

COMMENT_TAGS = frozenset({"p", "br", "em", "strong", "a", "blockquote", "code", "pre"})
# Readers' links earn no search credit and cannot reach back into this window.
COMMENT_LINK_REL = "nofollow ugc noopener"


# A post renders the same text up to three times (the link count, a story's link hold, the
# save), and every save of a comment renders it again: the result depends on the text alone.
@functools.lru_cache(maxsize=256)
def render_comment_markdown(source: str) -> str:
    return render_markdown(source, tags=COMMENT_TAGS, link_rel=COMMENT_LINK_REL)


_LINK_RE = re.compile(r"(?:https?://|www\.|mailto:)", re.IGNORECASE)


class _LinkCounter(HTMLParser):
    """Counts the links in rendered HTML: each <a href>, and each address left as plain text
    (readers' mail clients and browsers make those clickable too)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.count = 0
        self._open_links = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open_links += 1
            self.count += any(name == "href" and value for name, value in attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open_links:
            self._open_links -= 1

    def handle_data(self, data: str) -> None:
        if not self._open_links:
            self.count += len(_LINK_RE.findall(data))


def count_links(body: str) -> int:
    """Links as readers get them: counted in the rendered, sanitised HTML, not the source, so
    Markdown that browsers resolve to a link (`[x](http:host)`) counts however it is spelt."""
    counter = _LinkCounter()
    counter.feed(render_comment_markdown(body))
    counter.close()
    return counter.count
