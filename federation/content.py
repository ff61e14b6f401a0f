"""A remote Note's HTML as comment Markdown, so it takes the same road as a comment typed here.

The HTML is first cleaned by nh3 to a small allowlist, then walked to Markdown: paragraphs,
line breaks, emphasis, code, quotes and lists keep their shape; links (mentions and hashtags
included) stay links; everything else keeps its text only. The Markdown is then stored as the
comment's body and rendered by comments/rendering.py like any other comment, which sanitises
again and gives every link `rel="nofollow ugc noopener"`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import nh3

from newsite.markdown import URL_SCHEMES

_KEPT_TAGS = {"p", "br", "a", "em", "i", "strong", "b", "code", "pre", "blockquote"}
_KEPT_TAGS |= {"ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "span"}
_BLOCKS = {"p", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6"}
_EMPHASIS = {"em": "*", "i": "*", "strong": "**", "b": "**"}
# Markdown that would start inside a line of plain text; all escaped with a backslash.
_INLINE_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~&"})
# What would start a block at the beginning of a line: a heading, quote, list or rule.
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)


def _escape(text: str) -> str:
    return text.translate(_INLINE_SPECIALS)


class _MarkdownWriter(HTMLParser):
    def __init__(self, *, is_dropped: Callable[[str, str], bool] | None) -> None:
        super().__init__(convert_charrefs=True)
        self.is_dropped = is_dropped
        self.blocks: list[str] = []
        self.line: list[str] = []
        # Each open <a>: its href, where it starts in `line`, and its plain text so far.
        self.links: list[tuple[str, int, list[str]]] = []
        self.quote = 0

    def _flush(self) -> None:
        text = "".join(self.line).strip()
        self.line = []
        if text:
            text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
            if self.quote:
                text = "\n".join("> " + line for line in text.split("\n"))
            self.blocks.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in _BLOCKS:
            self._flush()
            if tag == "blockquote":
                self.quote += 1
            elif tag == "li":
                self.line.append("- ")
        elif tag == "br":
            self.line.append("\\\n")
        elif tag in _EMPHASIS:
            self.line.append(_EMPHASIS[tag])
        elif tag == "code":
            self.line.append("`")
        elif tag == "a" and not self.links:  # nh3 leaves no nested links
            href = attributes.get("href") or ""
            self.links.append((href, len(self.line), []))
            if href:
                self.line.append("[")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self._flush()
            if tag == "blockquote" and self.quote:
                self.quote -= 1
        elif tag in _EMPHASIS:
            self.line.append(_EMPHASIS[tag])
        elif tag == "code":
            self.line.append("`")
        elif tag == "a" and self.links:
            href, start, text = self.links.pop()
            if self.is_dropped and self.is_dropped(href, "".join(text).strip()):
                del self.line[start:]
            elif href:
                self.line.append(f"](<{href.replace('>', '%3E').replace('<', '%3C')}>)")

    def handle_data(self, data: str) -> None:
        if self.links:
            self.links[-1][2].append(data)
        self.line.append(_escape(" ".join(data.split("\n"))))

    def markdown(self) -> str:
        self._flush()
        return "\n\n".join(self.blocks)


def note_to_markdown(html: str, *, is_dropped: Callable[[str, str], bool] | None = None) -> str:
    """Comment Markdown for a Note's `content`. Links for which `is_dropped(href, text)` is
    true vanish with their text (a reply's "@news" mention of this site adds nothing here)."""
    cleaned = nh3.clean(
        html or "",
        tags=_KEPT_TAGS,
        attributes={"a": {"href"}},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",
        strip_comments=True,
        link_rel=None,
    )
    writer = _MarkdownWriter(is_dropped=is_dropped)
    writer.feed(cleaned)
    writer.close()
    # Tidy the gaps dropped mentions leave ("  Great" → "Great").
    return re.sub(r"[ \t]{2,}", " ", writer.markdown()).strip()
