"""WordPress eXtended RSS (WXR 1.2, Tools > Export): an RSS 2.0 <channel> whose <item>s carry
`wp:` fields; each post holds its own comments, so threads stream one item at a time.

Quirks: `wp:post_name` (the slug) is percent-encoded when it is not ASCII; content is HTML
with paragraphs as blank lines (wpautop), kept in `content:encoded`; `wp:post_date_gmt` is
"0000-00-00 00:00:00" for drafts (the local date is used then); categories and tags are both
<category> elements, told apart by `domain`; `wp:comment_approved` is "1", "0", "spam" or
"trash"; pingbacks and trackbacks are comments by type (not imported: they are links, not
discussion); attachments and menu items are items too. A post whose slug the site already has
joins that article: its comments come, the site's text stays.
"""

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

from django.utils.text import slugify

from comments.models import Comment

from ..html import html_to_markdown
from .core import (
    ImportFileError,
    Record,
    Skipped,
    SourceArticle,
    SourceAuthor,
    SourceComment,
    SourceThread,
    WrongFormat,
)
from .xmlutil import parse_date, stream, text

WP_VERSIONS = ("1.2", "1.1", "1.0")
CONTENT = "http://purl.org/rss/1.0/modules/content/"
APPROVED = {
    "1": Comment.Status.PUBLISHED,
    "approve": Comment.Status.PUBLISHED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}


def sniff(path: Path) -> bool:
    with open(path, "rb") as file:
        return b"wordpress.org/export/" in file.read(4096)


def read(path: Path, *, site_url: str = "") -> Iterator[Record]:
    wp = None
    channel = None
    items = 0
    for event, element, _root in stream(path, root_tag="rss", format_name="WordPress WXR"):
        tag = element.tag
        if event == "start":
            if tag == "channel":
                channel = element
            continue
        if tag.endswith("}wxr_version") and wp is None:
            namespace = tag[1:].partition("}")[0]
            if not any(namespace.endswith(f"/export/{v}/") for v in WP_VERSIONS):
                raise WrongFormat(f"WXR namespace {namespace} is not one this importer knows")
            wp = namespace
        if tag != "item":
            continue
        items += 1
        if wp is None:
            raise WrongFormat(
                "this is not a WordPress WXR file: an RSS feed without <wp:wxr_version>"
            )
        yield from _item(element, items, {"wp": wp, "content": CONTENT}, site_url)
        if channel is not None:
            channel.clear()


def _item(item, number: int, ns: dict, site_url: str) -> Iterator[Record]:
    post_id = text(item, "wp:post_id", ns)
    where = f"item {number}" + (f" (wp:post_id {post_id})" if post_id else "")
    if not post_id:
        raise ImportFileError(f"{where}: it has no <wp:post_id>")
    post_type = text(item, "wp:post_type", ns) or "post"
    status = text(item, "wp:status", ns) or "publish"
    if post_type != "post" or status in {"trash", "auto-draft", "inherit"}:
        yield Skipped(where, f"not a post (type {post_type}, status {status}): not imported")
        return
    title = text(item, "title")
    if not title:
        raise ImportFileError(f"{where}: the post has no title")
    date = text(item, "wp:post_date_gmt", ns)
    if not date or date.startswith("0000"):
        date = text(item, "wp:post_date", ns)
    published_at = None if not date or date.startswith("0000") else parse_date(date, where=where)
    tags = tuple(
        dict.fromkeys(
            (category.text or "").strip()
            for category in item.findall("category")
            if category.get("domain") in {"category", "post_tag"} and (category.text or "").strip()
        )
    )
    link = text(item, "link")
    if link.startswith("/") and site_url:
        link = site_url.rstrip("/") + link
    # WordPress keeps non-ASCII slugs percent-encoded ("%e6%b8%af"); ours are ASCII.
    slug = slugify(unquote(text(item, "wp:post_name", ns)))[:100].strip("-")
    article = SourceArticle(
        id=post_id,
        title=title,
        slug=slug,
        body=html_to_markdown(text(item, "content:encoded", ns), headings=True) or title,
        summary=html_to_markdown(text(item, "{http://wordpress.org/export/1.2/excerpt/}encoded")),
        published_at=published_at,
        is_published=status in {"publish", "future"},
        tags=tags,
    )
    yield SourceThread(id=post_id, url=link, title=title, slug=slug, article=article)
    for comment in item.findall("wp:comment", ns):
        yield from _comment(comment, post_id, where, ns)


def _comment(element, post_id: str, item_where: str, ns: dict) -> Iterator[Record]:
    comment_id = text(element, "wp:comment_id", ns)
    where = f"{item_where}, comment {comment_id or '(no id)'}"
    if not comment_id:
        raise ImportFileError(f"{where}: it has no <wp:comment_id>")
    kind = text(element, "wp:comment_type", ns)
    if kind in {"pingback", "trackback"}:
        yield Skipped(where, f"a {kind}: not imported")
        return
    approved = text(element, "wp:comment_approved", ns) or "1"
    if approved not in APPROVED:
        raise ImportFileError(f"{where}: unknown <wp:comment_approved> “{approved}”")
    date = text(element, "wp:comment_date_gmt", ns)
    if not date or date.startswith("0000"):
        date = text(element, "wp:comment_date", ns)
    name = text(element, "wp:comment_author", ns)
    email = text(element, "wp:comment_author_email", ns)
    key = email.lower() if email else (f"name:{name}" if name else "")
    if key:
        yield SourceAuthor(key=key, name=name, email=email)
    parent = text(element, "wp:comment_parent", ns)
    yield SourceComment(
        id=comment_id,
        thread=post_id,
        parent="" if parent in {"", "0"} else parent,
        body=text(element, "wp:comment_content", ns),
        is_html=True,
        created_at=parse_date(date, where=where),
        author=key,
        status=APPROVED[approved],
        record=where,
    )
