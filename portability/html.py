"""Imported HTML to the Markdown our comments and articles store.

Old systems keep HTML; we keep Markdown and render it with the site's own sanitiser, so an
imported comment is shown (and edited) exactly like one written here. Links, emphasis, quotes,
code and lists survive; every other tag is dropped and its text kept (script and style lose
their text too).
"""

import re
from html.parser import HTMLParser

from newsite.markdown import escape_markdown

_DROP_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript", "head"})
_BLOCKS = frozenset(
    {"p", "div", "blockquote", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"table", "tr", "section", "article", "figure", "hr"}
)
_SPACES = re.compile(r"[ \t\r\n]+")


class _Converter(HTMLParser):
    def __init__(self, *, headings: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.headings = headings
        self.blocks: list[str] = []  # finished blocks, joined by blank lines
        self.line: list[str] = []  # the block being written
        self.quote = 0
        self.lists: list[list] = []  # [kind, counter]
        self.pre = 0
        self.dropping = 0
        self.link: str | None = None
        self.link_text: list[str] = []
        self.prefix = ""
        self.last_item = False
        self.code: list[str] | None = None  # an inline code span being read

    # -- blocks --------------------------------------------------------------------------
    def _flush(self) -> None:
        text = "".join(self.line).strip()
        self.line = []
        if not text:
            return
        if self.pre:
            text = "```\n" + text + "\n```"
        is_item = bool(self.prefix) and self.prefix[0] in "-0123456789"
        text = self.prefix + text
        if self.lists:
            indent = "   " * (len(self.lists) - 1)
            text = indent + text.replace("\n", "\n" + indent + "   ")
        if self.quote:
            text = "\n".join(("> " * self.quote + row).rstrip() for row in text.split("\n"))
        if is_item and self.last_item and self.blocks:
            self.blocks[-1] += "\n" + text  # a tight list: no blank line between items
        else:
            self.blocks.append(text)
        self.last_item = is_item
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _DROP_CONTENT:
            self.dropping += 1
            return
        if self.dropping:
            return
        if tag == "br":
            self.line.append("\n" if self.pre else "  \n")
        elif tag in _BLOCKS:
            self._flush()
            if tag == "blockquote":
                self.quote += 1
            elif tag == "pre":
                self.pre += 1
            elif tag in {"ul", "ol"}:
                self.lists.append([tag, 0])
            elif tag == "li" and self.lists:
                self.lists[-1][1] += 1
                kind, n = self.lists[-1]
                self.prefix = f"{n}. " if kind == "ol" else "- "
            elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"} and self.headings:
                level = min(max(int(tag[1]), 2), 4)
                self.prefix = "#" * level + " "
            elif tag == "hr":
                self.blocks.append("* * *")
                self.last_item = False
        elif tag in {"em", "i"}:
            self.line.append("*")
        elif tag in {"strong", "b"}:
            self.line.append("**")
        elif tag == "code" and not self.pre:
            self.code = []
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.lower().startswith(("http://", "https://", "mailto:")):
                self.link = href
                self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping:
            return
        if tag in _BLOCKS:
            self._flush()
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
            elif tag in {"ul", "ol"} and self.lists:
                self.lists.pop()
        elif tag in {"em", "i"}:
            self.line.append("*")
        elif tag in {"strong", "b"}:
            self.line.append("**")
        elif tag == "code" and self.code is not None:
            self._code_span()
        elif tag == "a" and self.link is not None:
            text = "".join(self.link_text).strip() or self.link
            href = self.link.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
            self.link = None
            self.line.append(f"[{text}]({href})")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.code is not None:
            self.code.append(_SPACES.sub(" ", data))
            return
        text = data.replace("```", "` ` `") if self.pre else escape_inline(_SPACES.sub(" ", data))
        if self.link is not None:
            self.link_text.append(text)
        else:
            self.line.append(text)

    def _code_span(self) -> None:
        """Code is literal: no escapes inside, and a fence longer than any backticks in it."""
        text, self.code = "".join(self.code or []), None
        if not text.strip():
            return
        longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
        fence = "`" * (longest + 1)
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        span = f"{fence}{pad}{text}{pad}{fence}"
        (self.link_text if self.link is not None else self.line).append(span)

    def result(self) -> str:
        self._flush()
        return "\n\n".join(self.blocks)


def escape_inline(text: str) -> str:
    return escape_markdown(text) if text.strip() else text


def _paragraphs(html: str) -> str:
    """WordPress and Disqus keep paragraphs as blank lines in text without <p> tags."""
    if "<p" in html.lower():
        return html
    parts = re.split(r"\n\s*\n", html.strip())
    return "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in parts if part.strip())


def html_to_markdown(html: str, *, headings: bool = False) -> str:
    """Markdown that the site's renderer turns back into the allowed part of `html`."""
    if not html or not html.strip():
        return ""
    converter = _Converter(headings=headings)
    converter.feed(_paragraphs(html))
    converter.close()
    return converter.result().strip()
