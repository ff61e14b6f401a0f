"""oEmbed (https://oembed.com/) for articles and single comments: another site pastes an article
or comment link and shows it as a quoted card.

Only what every reader may see is embeddable: published articles, and counted comments (published,
not deleted) that the article shows to everyone (in Q&A mode, answered questions and staff
answers). Anything else is "not found", so the endpoint never tells a held comment from a missing
one. The card is plain HTML built from plain text, escaped by the template: no script, no style,
no external resource, nothing of the comment's markup but its paragraphs.
"""

import math
import re
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import unquote, urlencode, urlsplit
from xml.etree.ElementTree import Element, SubElement, tostring

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.text import Truncator

from articles.models import Article

from .meta import absolute_url, article_url, description

VERSION = "1.0"
FORMATS = {"json": "application/json", "xml": "text/xml"}
MAX_URL_LENGTH = 2000
# How long a consumer may keep an embed: a comment removed later goes from embeds within the hour.
CACHE_AGE = 60 * 60
# The card's size when the consumer sets no maximum (a tweet embed's width).
DEFAULT_WIDTH = 550
# Estimates for the card's height: the consumer reserves the space before showing it.
CHAR_WIDTH = 8
LINE_HEIGHT = 24
SIDE_PADDING = 40
CHROME_HEIGHT = 96
# Larger ids cannot be in the table, and SQLite refuses to compare with them.
MAX_ID = 2**63 - 1
_COMMENT_FRAGMENT = re.compile(r"c([0-9]+)")
DEFAULT_PORTS = {"http": 80, "https": 443}


class BadRequest(Exception):
    """The request cannot be understood (400)."""


class NotFound(Exception):
    """Nothing embeddable at that URL (404)."""


class UnsupportedFormat(Exception):
    """A format other than JSON or XML (501, as the oEmbed spec asks)."""


@dataclass(frozen=True)
class Request:
    url: str
    format: str
    maxwidth: int | None
    maxheight: int | None


def parse_request(params) -> Request:
    """The consumer's parameters, checked: BadRequest or UnsupportedFormat when unusable."""
    url = params.get("url", "").strip()
    if not url:
        raise BadRequest("The url parameter is required.")
    if len(url) > MAX_URL_LENGTH:
        raise BadRequest("The url is too long.")
    format_ = params.get("format", "json")
    if format_ not in FORMATS:
        raise UnsupportedFormat(f"Format {format_[:20]!r} is not supported: use json or xml.")
    return Request(
        url=url,
        format=format_,
        maxwidth=_dimension(params, "maxwidth"),
        maxheight=_dimension(params, "maxheight"),
    )


def _dimension(params, name: str) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 6 or int(value) == 0:
        raise BadRequest(f"{name} must be a whole number of pixels above 0.")
    return int(value)


def find(url: str):
    """The published Article or counted Comment an absolute URL of this site names.

    Accepted: an article's address (a `#c<id>` fragment names one of its comments), and a
    comment's permalink, /comments/<id>/. Query strings (a discussion page, utm tags) are ignored.
    """
    try:
        parts = urlsplit(url)
        port = _port(parts)
    except ValueError as error:
        raise BadRequest("The url is not a valid URL.") from error
    if not parts.scheme or not parts.hostname:
        raise BadRequest("The url must be an absolute URL.")
    site = urlsplit(settings.SITE_URL)
    ours = parts.scheme.lower() in DEFAULT_PORTS and parts.username is None
    if not ours or parts.hostname != site.hostname or port != _port(site):
        raise NotFound("Not an address of this site.")
    try:
        match = resolve(unquote(parts.path or "/"))
    except Resolver404 as error:
        raise NotFound("No article or comment at this address.") from error

    if match.view_name == "articles:detail":
        article = Article.objects.published().filter(slug=match.kwargs["slug"]).first()
        if article is None:
            raise NotFound("No published article at this address.")
        fragment = _COMMENT_FRAGMENT.fullmatch(parts.fragment)
        if fragment is None:
            return article
        if len(fragment[1]) > len(str(MAX_ID)):
            raise NotFound("No such comment.")
        return _public_comment(int(fragment[1]), article=article)
    if match.view_name == "comments:permalink":
        return _public_comment(match.kwargs["pk"])
    raise NotFound("Only articles and comments can be embedded.")


def _port(parts) -> int | None:
    """A port other than the scheme's own, or None: https://host:443/ and http://host/ are the
    site's address as much as https://host/ (a consumer may have either)."""
    port = parts.port
    return None if port == DEFAULT_PORTS.get(parts.scheme.lower()) else port


def _public_comment(pk: int, *, article: Article | None = None):
    from comments.discussion import shown_to_everyone
    from comments.models import Comment

    if pk > MAX_ID:
        raise NotFound("No such comment.")
    counted = Comment.objects.counted().filter(article__in=Article.objects.published())
    comment = counted.select_related("article", "author").filter(pk=pk).first()
    if comment is None or (article is not None and comment.article_id != article.pk):
        raise NotFound("No published comment at this address.")
    shown = shown_to_everyone(counted.filter(pk=pk), comment.article)
    if comment.article.is_qa and not shown.exists():
        raise NotFound("No published comment at this address.")
    return comment


# --- the card -------------------------------------------------------------------------------


class _Paragraphs(HTMLParser):
    """The text of sanitised HTML, one string per block (paragraph, list item, quote, code)."""

    BLOCKS = frozenset({"p", "li", "blockquote", "pre", "h2", "h3", "h4", "br", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = [""]

    def handle_starttag(self, tag, attrs) -> None:
        self.handle_endtag(tag)

    def handle_endtag(self, tag) -> None:
        if tag in self.BLOCKS:
            self.blocks.append("")

    def handle_data(self, data: str) -> None:
        self.blocks[-1] += data


def paragraphs(body_html: str) -> list[str]:
    parser = _Paragraphs()
    parser.feed(body_html)
    parser.close()
    return [text for text in (" ".join(b.split()) for b in parser.blocks) if text]


def fit(texts: list[str], *, width: int, maxheight: int | None) -> tuple[list[str], int]:
    """The paragraphs that fit in `maxheight` (the last one shortened), and the card's height."""
    per_line = max(1, (width - SIDE_PADDING) // CHAR_WIDTH)
    budget = None if maxheight is None else max(1, (maxheight - CHROME_HEIGHT) // LINE_HEIGHT)
    kept: list[str] = []
    lines = 0
    for text in texts:
        needed = math.ceil(len(text) / per_line)
        if budget is not None and lines + needed > budget:
            room = budget - lines
            if room > 0:
                kept.append(Truncator(text).chars(room * per_line))
                lines = budget
            break
        kept.append(text)
        lines += needed
    height = CHROME_HEIGHT + max(lines, 1) * LINE_HEIGHT
    return kept, height if maxheight is None else min(height, maxheight)


@dataclass(frozen=True)
class _Quote:
    """What a card shows, for an article or a comment."""

    url: str
    title: str
    author_name: str
    author_url: str | None
    texts: list[str]
    article: Article
    date: datetime
    byline: str = ""
    is_comment: bool = False


def _article_quote(article: Article) -> _Quote:
    names = [byline["name"] for byline in article.bylines]
    author_url = settings.SITE_URL + "/"
    if article.bylines:
        slug = article.bylines[0]["slug"]
        author_url = absolute_url(reverse("articles:author", kwargs={"slug": slug}))
    return _Quote(
        url=article_url(article),
        title=article.title,
        author_name=", ".join(names) or settings.SITE_NAME,
        author_url=author_url,
        texts=[description(article)],
        article=article,
        date=article.published_at,
        byline=", ".join(names),
    )


def _comment_quote(comment) -> _Quote:
    article = comment.article
    return _Quote(
        url=f"{article_url(article)}#{comment.anchor}",
        title=f"{comment.author_name} on “{article.title}”",
        author_name=comment.author_name,
        author_url=None,  # readers have no public page
        texts=paragraphs(comment.body_html),
        article=article,
        date=comment.created_at,
        is_comment=True,
    )


def embed(target, *, maxwidth: int | None = None, maxheight: int | None = None) -> dict:
    """The oEmbed response for an Article or a Comment from `find()`."""
    quote = _article_quote(target) if isinstance(target, Article) else _comment_quote(target)
    width = min(DEFAULT_WIDTH, maxwidth or DEFAULT_WIDTH)
    texts, height = fit(quote.texts, width=width, maxheight=maxheight)
    card = render_to_string(
        "discovery/oembed_card.html",
        {
            "quote": quote,
            "paragraphs": texts,
            "article_url": article_url(quote.article),
            "provider_name": settings.SITE_NAME,
            "provider_url": settings.SITE_URL + "/",
        },
    )
    response = {
        "type": "rich",
        "version": VERSION,
        "title": quote.title,
        "author_name": quote.author_name,
        "author_url": quote.author_url,
        "provider_name": settings.SITE_NAME,
        "provider_url": settings.SITE_URL + "/",
        "cache_age": CACHE_AGE,
        "html": card.strip(),
        "width": width,
        "height": height,
    }
    return {key: value for key, value in response.items() if value is not None}


def as_xml(data: dict) -> str:
    """The oEmbed XML form: one element per field under <oembed>, text escaped."""
    root = Element("oembed")
    for key, value in data.items():
        SubElement(root, key).text = str(value)
    declaration = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n'
    return declaration + tostring(root, encoding="unicode")


def endpoint(url: str, format_: str = "json") -> str:
    """The endpoint's absolute address for one URL, as discovery links give it."""
    query = urlencode({"url": url, "format": format_})
    return f"{absolute_url(reverse('discovery:oembed'))}?{query}"


def discovery_links(article: Article) -> list[dict[str, str]]:
    """<link rel="alternate"> entries that let consumers find the article's embed."""
    url = article_url(article)
    title = f"{article.title} · {settings.SITE_NAME}"
    return [
        {"type": f"{kind}+oembed", "href": endpoint(url, name), "title": title}
        for name, kind in (("json", "application/json"), ("xml", "text/xml"))
    ]
