"""Disqus XML export (Admin > Community > Export): <category>, then every <thread>, then every
<post> of the forum, in the `http://disqus.com` namespace with `dsq:id` attributes.

Quirks: posts are not grouped by thread and a reply can come before what it answers (the core
spools them); `<message>` is HTML; deleted and spam posts are included, flagged; anonymous
authors have a name and no username; the thread's `<link>` is its page, `<id>` the site's own
identifier (often empty or a URL).
"""

from collections.abc import Iterator
from pathlib import Path

from comments.models import Comment

from .core import ImportFileError, Record, SourceAuthor, SourceComment, SourceThread
from .xmlutil import boolean, parse_date, stream, text

NS = "http://disqus.com"
DSQ = "http://disqus.com/disqus-internals"
N = {"d": NS}
DSQ_ID = f"{{{DSQ}}}id"
ROOT = f"{{{NS}}}disqus"


def sniff(path: Path) -> bool:
    with open(path, "rb") as file:
        return b"http://disqus.com" in file.read(2048)


def author_key(email: str, username: str, name: str) -> str:
    if email:
        return email.lower()
    if username:
        return f"username:{username}"
    return f"name:{name}" if name else ""


def read(path: Path, *, site_url: str = "") -> Iterator[Record]:
    posts = threads = 0
    for event, element, root in stream(path, root_tag=ROOT, format_name="Disqus export"):
        if event != "end" or element.tag not in {f"{{{NS}}}thread", f"{{{NS}}}post"}:
            continue
        if element.tag == f"{{{NS}}}thread" and element.find("d:forum", N) is None:
            continue  # a post's <thread dsq:id=…/> reference, not a thread
        if element.tag == f"{{{NS}}}thread":
            threads += 1
            thread_id = element.get(DSQ_ID)
            if not thread_id:
                raise ImportFileError(f"thread {threads}: it has no dsq:id")
            identifier = text(element, "d:id", N)
            link = text(element, "d:link", N) or (identifier if "/" in identifier else "")
            if link.startswith("/") and site_url:
                link = site_url.rstrip("/") + link
            yield SourceThread(id=thread_id, url=link, title=text(element, "d:title", N))
        else:
            posts += 1
            yield from _post(element, posts)
        root.clear()  # the records read so far: memory stays flat


def _post(element, number: int) -> Iterator[Record]:
    post_id = element.get(DSQ_ID)
    where = f"post {number}" + (f" (dsq:id {post_id})" if post_id else "")
    if not post_id:
        raise ImportFileError(f"{where}: it has no dsq:id")
    thread = element.find("d:thread", N)
    if thread is None or not thread.get(DSQ_ID):
        raise ImportFileError(f"{where}: it names no thread")
    created = text(element, "d:createdAt", N)
    if not created:
        raise ImportFileError(f"{where}: it has no <createdAt>")
    author = element.find("d:author", N)
    email, name = text(author, "d:email", N), text(author, "d:name", N)
    key = author_key(email, text(author, "d:username", N), name)
    if key:
        yield SourceAuthor(key=key, name=name, email=email)
    parent = element.find("d:parent", N)
    status = Comment.Status.PUBLISHED
    if boolean(text(element, "d:isSpam", N)):
        status = Comment.Status.SPAM
    elif text(element, "d:isApproved", N) and not boolean(text(element, "d:isApproved", N)):
        status = Comment.Status.PENDING
    yield SourceComment(
        id=post_id,
        thread=thread.get(DSQ_ID),
        parent=parent.get(DSQ_ID, "") if parent is not None else "",
        body=text(element, "d:message", N),
        is_html=True,
        created_at=parse_date(created, where=where),
        author=key,
        status=status,
        is_deleted=boolean(text(element, "d:isDeleted", N)),
        record=where,
    )
