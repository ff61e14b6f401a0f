"""The import every format shares: records in, articles, comments and authors out.

A reader streams records (threads, authors, comments, WordPress posts) in whatever order its
format keeps them. They are spooled to a temporary SQLite file, so memory stays flat whatever
the file's size, and then imported one thread at a time: each thread commits or rolls back
alone, so one bad thread never costs the rest.

Comments are written with bulk_create, which sends no signals: an import mails nobody and
fires no webhooks or notifications. Counts, cached pages and bookkeeping are then set right
here, once per thread.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import multiprocessing
import os
import pickle
import sqlite3
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.urls import Resolver404, resolve
from django.utils import timezone

from accounts.models import User
from accounts.validators import strip_hidden_characters
from articles.models import Article
from articles.seeds import ParsedArticle
from articles.services import article_import
from comments.models import MAX_DEPTH, Comment, CommentRevision
from comments.rendering import render_comment_markdown
from newsite import pagecache

from ..models import ImportedIdentity, ImportedRecord
from ..rendering import render_bodies

logger = logging.getLogger(__name__)

Status = Comment.Status
BATCH_SIZE = 500
MAX_LISTED = 200  # report lists (unmatched threads, errors) stop growing here


class ImportFileError(Exception):
    """The file cannot be imported: wrong format, or malformed at a line or record we name."""


class WrongFormat(ImportFileError):
    pass


# --- records a reader yields -------------------------------------------------------------


@dataclass(slots=True)
class SourceAuthor:
    key: str  # stable within the source: an address, a user id, or a name
    name: str = ""
    email: str = ""


@dataclass(slots=True)
class SourceArticle:
    """A WordPress post: becomes an article."""

    id: str
    title: str
    slug: str
    body: str  # Markdown
    published_at: dt.datetime | None
    is_published: bool
    tags: tuple[str, ...] = ()
    summary: str = ""


@dataclass(slots=True)
class SourceThread:
    id: str
    url: str = ""
    title: str = ""
    slug: str = ""
    article: SourceArticle | None = None


@dataclass(slots=True)
class SourceComment:
    id: str
    thread: str
    body: str  # Markdown (or HTML, with is_html: converted by the import)
    created_at: dt.datetime
    parent: str = ""
    author: str = ""  # a SourceAuthor key; empty: no author known
    status: str = Status.PUBLISHED
    is_deleted: bool = False
    deleted_at: dt.datetime | None = None
    edited_at: dt.datetime | None = None
    like_count: int = 0
    is_pinned: bool = False
    revisions: tuple[tuple[str, dt.datetime], ...] = ()
    record: str = ""  # where in the file, for messages
    is_html: bool = False
    body_html: str | None = None  # set by the import, not the reader


@dataclass(slots=True)
class Skipped:
    """Something the file holds that is deliberately not imported (a pingback, a page)."""

    record: str
    reason: str


Record = SourceAuthor | SourceThread | SourceComment | Skipped


# --- the report ------------------------------------------------------------------------


@dataclass
class ImportReport:
    format: str
    dry_run: bool = False
    threads: int = 0
    threads_matched: int = 0
    threads_failed: int = 0
    articles_created: int = 0
    comments_created: int = 0
    comments_existing: int = 0
    comments_skipped: int = 0
    comments_failed: int = 0
    authors_created: int = 0
    unmatched: list[dict] = field(default_factory=list)
    unmatched_count: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        if len(self.errors) < MAX_LISTED:
            self.errors.append(message)

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(message)

    def as_dict(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        """The report as people read it (the command prints it, the admin shows it)."""
        would = "would be " if self.dry_run else ""
        lines = [
            f"Threads: {self.threads} read, {self.threads_matched} matched, "
            f"{self.unmatched_count} unmatched, {self.threads_failed} failed",
            f"Articles {would}created: {self.articles_created}",
            f"Comments {would}created: {self.comments_created}; already imported: "
            f"{self.comments_existing}; skipped: {self.comments_skipped}; "
            f"failed: {self.comments_failed}",
            f"Authors {would}created: {self.authors_created}",
        ]
        for thread in self.unmatched:
            lines.append(
                f"Unmatched thread {thread['id']}: {thread['url'] or '(no URL)'} "
                f"“{thread['title']}” ({thread['comments']} comments not imported)"
            )
        lines += [f"Error: {message}" for message in self.errors]
        lines += [f"Warning: {message}" for message in self.warnings]
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines


# --- the spool ---------------------------------------------------------------------------


class _Renderer:
    """Renders comment bodies in batches: in a second process once a file proves large (the
    parsing and the database writes keep this one busy), inline for small files."""

    BATCH = 1000
    AHEAD = 3  # batches rendering while more are read: bounded, so memory stays flat

    def __init__(self) -> None:
        self.batch: list[SourceComment] = []
        self.pending: deque = deque()
        self.pool = None

    def __enter__(self) -> _Renderer:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def add(self, comment: SourceComment) -> Iterator[list[SourceComment]]:
        self.batch.append(comment)
        if len(self.batch) < self.BATCH:
            return
        batch, self.batch = self.batch, []
        if self.pool is None and (os.cpu_count() or 1) > 1:
            context = multiprocessing.get_context("spawn")  # no inherited database sockets
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        if self.pool is None:
            yield self._inline(batch)
            return
        work = [(c.body, c.is_html) for c in batch]
        self.pending.append((batch, self.pool.submit(render_bodies, work)))
        while len(self.pending) > self.AHEAD:
            yield self._collect()

    @staticmethod
    def _apply(batch: list[SourceComment], rendered: list[tuple[str, str]]) -> list:
        for comment, (body, html) in zip(batch, rendered, strict=True):
            comment.body, comment.body_html, comment.is_html = body, html, False
        return batch

    def _inline(self, batch: list[SourceComment]) -> list[SourceComment]:
        return self._apply(batch, render_bodies([(c.body, c.is_html) for c in batch]))

    def _collect(self) -> list[SourceComment]:
        batch, future = self.pending.popleft()
        return self._apply(batch, future.result())

    def drain(self) -> Iterator[list[SourceComment]]:
        while self.pending:
            yield self._collect()
        if self.batch:
            batch, self.batch = self.batch, []
            yield self._inline(batch)


def _load(data: bytes):
    # Only ever records this process pickled into its own private temporary folder.
    return pickle.loads(data)  # noqa: S301


class _Spool:
    """Records on disk, grouped by thread, so a file of any size imports in flat memory."""

    def __init__(self, folder: str) -> None:
        self.db = sqlite3.connect(Path(folder) / "spool.sqlite3")
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
            CREATE TABLE thread (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, data BLOB);
            CREATE TABLE author (key TEXT PRIMARY KEY, data BLOB);
            CREATE TABLE comment (seq INTEGER PRIMARY KEY, thread TEXT, data BLOB);
            """
        )

    def add(self, records: Iterable[Record], report: ImportReport) -> None:
        with _Renderer() as renderer:
            for record in records:
                if isinstance(record, SourceComment):
                    for done in renderer.add(record):
                        self._insert_comments(done)
                else:
                    self._insert(record, report)
            for done in renderer.drain():
                self._insert_comments(done)
        self._finish()

    def _insert_comments(self, comments: list[SourceComment]) -> None:
        self.db.executemany(
            "INSERT INTO comment (thread, data) VALUES (?, ?)",
            [(c.thread, pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL)) for c in comments],
        )

    def _insert(self, record: Record, report: ImportReport) -> None:
        db = self.db
        if isinstance(record, Skipped):
            report.comments_skipped += 1
            report.warn(f"{record.record}: {record.reason}")
            return
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        if isinstance(record, SourceAuthor):
            db.execute("INSERT OR IGNORE INTO author VALUES (?, ?)", (record.key, data))
        else:
            db.execute(
                "INSERT INTO thread (id, data) VALUES (?, ?) "
                "ON CONFLICT (id) DO UPDATE SET data = excluded.data",
                (record.id, data),
            )

    def _finish(self) -> None:
        db = self.db
        db.execute("CREATE INDEX comment_thread ON comment (thread, seq)")
        # Comments whose thread the file never described still form threads (reported).
        db.execute(
            "INSERT INTO thread (id, data) SELECT DISTINCT thread, NULL FROM comment "
            "WHERE thread NOT IN (SELECT id FROM thread)"
        )
        db.commit()

    def threads(self) -> Iterator[SourceThread]:
        for thread_id, data in self.db.execute("SELECT id, data FROM thread ORDER BY seq"):
            yield _load(data) if data else SourceThread(id=thread_id)

    def comments(self, thread_id: str) -> list[SourceComment]:
        rows = self.db.execute(
            "SELECT data FROM comment WHERE thread = ? ORDER BY seq", (thread_id,)
        )
        return [_load(data) for (data,) in rows]

    def count_comments(self, thread_id: str) -> int:
        return self.db.execute(
            "SELECT count(*) FROM comment WHERE thread = ?", (thread_id,)
        ).fetchone()[0]

    def authors(self, keys: Iterable[str]) -> dict[str, SourceAuthor]:
        keys = list(keys)
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, data in self.db.execute(
                f"SELECT key, data FROM author WHERE key IN ({marks})",  # noqa: S608 - only ?s
                chunk,
            ):
                found[key] = _load(data)
        return found

    def close(self) -> None:
        self.db.close()


# --- matching threads to articles ---------------------------------------------------------


def read_url_map(path: str | Path | None) -> dict[str, str]:
    """`old URL,new path` per line; a header line and blank lines are ignored."""
    if not path:
        return {}
    mapping = {}
    with open(path, newline="", encoding="utf-8-sig") as file:
        for number, row in enumerate(csv.reader(file), start=1):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 2:
                raise ImportFileError(f"URL map line {number}: expected “old URL,new path”")
            old, new = row[0].strip(), row[1].strip()
            if number == 1 and not new.startswith(("/", "http")):
                continue  # a header
            mapping[_normal_url(old)] = new
    return mapping


def _normal_url(url: str) -> str:
    parts = urlsplit(url.strip())
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.netloc.lower()}{parts.path.rstrip('/') or '/'}{query}"


def _slug_from_path(path: str) -> str | None:
    try:
        match = resolve(path if path.endswith("/") else path + "/")
    except Resolver404:
        return None
    if match.view_name == "articles:detail":
        return match.kwargs["slug"]
    return None


class _Matcher:
    def __init__(self, url_map: dict[str, str]) -> None:
        self.url_map = url_map

    def article_for(self, thread: SourceThread) -> Article | None:
        path = urlsplit(thread.url).path if thread.url else ""
        candidates = []
        if path:
            if slug := _slug_from_path(path):
                candidates.append(Q(slug=slug))
            last = path.rstrip("/").rpartition("/")[2]
            if last:
                candidates.append(Q(slug=last.removesuffix(".html")))
        if thread.slug:
            candidates.append(Q(slug=thread.slug))
        for q in candidates:
            if article := Article.objects.filter(q).first():
                return article
        if thread.title.strip():
            found = list(Article.objects.filter(title__iexact=thread.title.strip())[:2])
            if len(found) == 1:
                return found[0]
        if thread.url and (new := self.url_map.get(_normal_url(thread.url))):
            slug = _slug_from_path(urlsplit(new).path) or new.strip("/").rpartition("/")[2]
            return Article.objects.filter(slug=slug).first()
        return None


# --- the import -----------------------------------------------------------------------------


class _Rollback(Exception):
    pass


@dataclass(slots=True)
class _Node:
    """A comment on the site, as a reply to it needs to know it."""

    pk: int
    depth: int
    root_id: int | None
    parent_id: int | None


class Importer:
    def __init__(
        self,
        *,
        source: str,
        dry_run: bool = False,
        url_map: dict[str, str] | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.source = source
        self.dry_run = dry_run
        self.matcher = _Matcher(url_map or {})
        self.on_progress = on_progress
        self.report = ImportReport(format=source, dry_run=dry_run)
        self.identities: dict[str, int] = {}  # author key -> user id, committed ones only
        self.new_author_keys: set[str] = set()
        self.now = timezone.now()

    def run(self, records: Iterable[Record]) -> ImportReport:
        with tempfile.TemporaryDirectory(prefix="newsite-import-") as folder:
            spool = self._spool = _Spool(folder)
            try:
                spool.add(records, self.report)
                for done, thread in enumerate(spool.threads(), start=1):
                    self._thread(spool, thread)
                    if self.on_progress:
                        self.on_progress(done)
            finally:
                spool.close()
        return self.report

    # -- one thread --------------------------------------------------------------------
    def _thread(self, spool: _Spool, thread: SourceThread) -> None:
        report = self.report
        report.threads += 1
        comments = spool.comments(thread.id)
        try:
            with transaction.atomic():
                article, created = self._article(thread)
                if article is None:
                    report.unmatched_count += 1
                    report.comments_skipped += len(comments)
                    if len(report.unmatched) < MAX_LISTED:
                        report.unmatched.append(
                            {
                                "id": thread.id,
                                "url": thread.url,
                                "title": thread.title,
                                "comments": len(comments),
                            }
                        )
                    return
                report.threads_matched += 1
                counts = self._comments(spool, article, comments)
                report.articles_created += created
                if self.dry_run:
                    raise _Rollback
        except _Rollback:
            pass
        except Exception as exc:  # a database constraint, a bad value: this thread only
            logger.exception("import of thread %s failed", thread.id)
            report.threads_failed += 1
            report.comments_failed += len(comments)
            report.error(f"thread {thread.id} ({thread.url or thread.title}): {exc}")
            return
        else:
            self.identities.update(counts.pop("identities"))
        report.comments_created += counts["created"]
        report.comments_existing += counts["existing"]
        report.comments_skipped += counts["skipped"]
        report.authors_created += len(counts["new_keys"] - self.new_author_keys)
        self.new_author_keys |= counts["new_keys"]

    def _article(self, thread: SourceThread) -> tuple[Article | None, bool]:
        kind = ImportedRecord.Kind
        if thread.article is not None:
            return self._wordpress_article(thread.article)
        known = (
            ImportedRecord.objects.filter(source=self.source, kind=kind.THREAD, source_id=thread.id)
            .select_related("article")
            .first()
        )
        if known is not None and known.article is not None:
            return known.article, False
        article = self.matcher.article_for(thread)
        if article is not None:
            ImportedRecord.objects.create(
                source=self.source, kind=kind.THREAD, source_id=thread.id, article=article
            )
        return article, False

    def _wordpress_article(self, post: SourceArticle) -> tuple[Article, bool]:
        known = (
            ImportedRecord.objects.filter(
                source=self.source, kind=ImportedRecord.Kind.ARTICLE, source_id=post.id
            )
            .select_related("article")
            .first()
        )
        if known is not None and known.article is not None:
            return known.article, False
        # The site already has this story (moved by hand, or from seeds): its comments join
        # it, and the editor's version of the text is left alone.
        existing = Article.objects.filter(slug=post.slug).first() if post.slug else None
        if existing is not None:
            ImportedRecord.objects.create(
                source=self.source,
                kind=ImportedRecord.Kind.ARTICLE,
                source_id=post.id,
                article=existing,
            )
            return existing, False
        parsed = ParsedArticle(
            name=f"{self.source}:{post.id}",
            title=post.title,
            body=post.body,
            summary=post.summary,
            tags=post.tags,
            published_at=post.published_at,
            slug=post.slug,
        )
        # Made as a draft, then published with update(), which sends no signal: an import
        # announces nothing (no article.published webhook), as bulk_create keeps its comments
        # quiet.
        _, article = article_import(parsed=parsed, status=Article.Status.DRAFT)
        if post.is_published:
            Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED)
            article.status = Article.Status.PUBLISHED
        ImportedRecord.objects.create(
            source=self.source, kind=ImportedRecord.Kind.ARTICLE, source_id=post.id, article=article
        )
        pagecache.invalidate(pagecache.SITE, schedule=True)
        return article, True

    def _comments(self, spool: _Spool, article: Article, comments: list[SourceComment]) -> dict:
        by_id = {c.id: c for c in comments}
        existing = dict(
            ImportedRecord.objects.filter(
                source=self.source,
                kind=ImportedRecord.Kind.COMMENT,
                source_id__in=list(by_id),
                comment__isnull=False,
            ).values_list("source_id", "comment_id")
        )
        nodes: dict[str, _Node] = {
            source_id: _Node(pk, depth, root_id, parent_id)
            for source_id, (pk, depth, root_id, parent_id) in _existing_nodes(existing).items()
        }
        counts = {"created": 0, "existing": len(existing), "skipped": 0}
        new = [c for c in comments if c.id not in existing]
        # Replies may come before what they answer, and may answer a comment already
        # imported: created level by level of the source's own tree (so each parent has its
        # id first), missing parents attached at the top.
        levels: list[list[SourceComment]] = []
        level_of: dict[str, int] = dict.fromkeys(nodes, -1)

        def level(comment: SourceComment, seen: frozenset = frozenset()) -> int:
            if comment.id in level_of:
                return level_of[comment.id]
            parent = comment.parent
            if not parent or parent == comment.id or parent in seen:
                comment.parent = "" if parent in seen or parent == comment.id else parent
                value = 0
            elif parent in level_of:
                value = level_of[parent] + 1
            elif parent in by_id:
                value = level(by_id[parent], seen | {comment.id}) + 1
            else:
                self.report.warn(
                    f"{comment.record or 'comment ' + comment.id}: its parent {parent} is not "
                    "in the file; imported as a top-level comment"
                )
                comment.parent = ""
                value = 0
            level_of[comment.id] = value
            return value

        for comment in new:
            number = level(comment)
            while len(levels) <= number:
                levels.append([])
            levels[number].append(comment)

        identities, new_keys = self._authors({c.author for c in new if c.author})
        # Where each new comment hangs on the site: under what it answers, or, past the depth
        # cap, beside it (reply_to names what it answers). Grouped by site depth, at most
        # MAX_DEPTH + 1 inserts a thread, each after the one holding its parents.
        placed: dict[str, tuple[int, tuple | None, tuple | None]] = {}
        by_depth: list[list[SourceComment]] = [[] for _ in range(MAX_DEPTH + 1)]
        for comment in (c for level in levels for c in level):
            parent_ref = reply_ref = None
            depth = 0
            if comment.parent in nodes:  # imported before
                node = nodes[comment.parent]
                if node.depth < MAX_DEPTH:
                    parent_ref, depth = ("pk", node.pk), node.depth + 1
                else:
                    parent_ref, depth, reply_ref = (
                        ("pk", node.parent_id),
                        MAX_DEPTH,
                        ("pk", node.pk),
                    )
            elif comment.parent in placed:
                answered_depth, answered_parent, _ = placed[comment.parent]
                if answered_depth < MAX_DEPTH:
                    parent_ref, depth = ("src", comment.parent), answered_depth + 1
                else:
                    parent_ref, depth = answered_parent, MAX_DEPTH
                    reply_ref = ("src", comment.parent)
            placed[comment.id] = (depth, parent_ref, reply_ref)
            by_depth[depth].append(comment)

        known: dict[int, _Node] = {node.pk: node for node in nodes.values()}
        rows_by_id: dict[str, Comment] = {}

        def site_node(ref: tuple) -> _Node:
            if ref[0] == "src":
                return nodes[ref[1]]
            if ref[1] not in known:
                pk, depth, root_id, parent_id = Comment.objects.filter(pk=ref[1]).values_list(
                    "pk", "depth", "root_id", "parent_id"
                )[0]
                known[pk] = _Node(pk, depth, root_id, parent_id)
            return known[ref[1]]

        for group in by_depth:
            rows = []
            for comment in group:
                _, parent_ref, _ = placed[comment.id]
                parent = site_node(parent_ref) if parent_ref else None
                deleted_at = comment.deleted_at or (self.now if comment.is_deleted else None)
                rows.append(
                    Comment(
                        article=article,
                        author_id=identities.get(comment.author),
                        parent_id=parent.pk if parent else None,
                        root_id=(parent.root_id or parent.pk) if parent else None,
                        depth=parent.depth + 1 if parent else 0,
                        body=comment.body,
                        body_html=comment.body_html
                        if comment.body_html is not None
                        else render_comment_markdown(comment.body),
                        status=comment.status,
                        created_at=comment.created_at,
                        edited_at=comment.edited_at,
                        deleted_at=deleted_at,
                        like_count=comment.like_count,
                        is_pinned=comment.is_pinned,
                        # Published long ago: nobody is to be told about it now.
                        notified_at=self.now,
                    )
                )
            if not rows:
                continue
            created = Comment.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            for comment, row in zip(group, created, strict=True):
                nodes[comment.id] = _Node(row.pk, row.depth, row.root_id, row.parent_id)
                rows_by_id[comment.id] = row
        replies = []
        for source_id, (_, _, reply_ref) in placed.items():
            if reply_ref is not None:
                row = rows_by_id[source_id]
                row.reply_to_id = site_node(reply_ref).pk
                replies.append(row)
        if replies:
            Comment.objects.bulk_update(replies, ["reply_to"], batch_size=BATCH_SIZE)
        ImportedRecord.objects.bulk_create(
            [
                ImportedRecord(
                    source=self.source,
                    kind=ImportedRecord.Kind.COMMENT,
                    source_id=source_id,
                    comment_id=row.pk,
                    created_at=self.now,
                )
                for source_id, row in rows_by_id.items()
            ],
            batch_size=BATCH_SIZE,
        )
        if revisions := [
            CommentRevision(comment_id=rows_by_id[c.id].pk, body=body, created_at=at)
            for c in new
            for body, at in c.revisions
        ]:
            CommentRevision.objects.bulk_create(revisions, batch_size=BATCH_SIZE)
        counts["created"] = len(rows_by_id)
        if counts["created"]:
            Article.objects.filter(pk=article.pk).update(
                comment_count=Comment.objects.counted().filter(article=article).count()
            )
            pagecache.invalidate(pagecache.LISTS, pagecache.discussion(article.slug))
        counts["identities"] = identities
        counts["new_keys"] = new_keys
        return counts

    def _authors(self, keys: set[str]) -> tuple[dict[str, int], set[str]]:
        """The accounts holding these authors' comments; placeholders made for new ones."""
        found = {key: self.identities[key] for key in keys if key in self.identities}
        missing = keys - found.keys()
        if missing:
            for key, user_id in ImportedIdentity.objects.filter(
                source=self.source, key__in=list(missing)
            ).values_list("key", "user_id"):
                found[key] = user_id
        missing = keys - found.keys()
        if not missing:
            return found, set()
        authors = self._spool.authors(missing)
        users, identities = [], []
        for key in sorted(missing):
            author = authors.get(key) or SourceAuthor(key=key)
            user = User(
                username=f"imported-{uuid.uuid4().hex[:24]}",
                display_name=_display_name(author),
                is_active=False,
            )
            user.set_unusable_password()
            users.append(user)
            identities.append(
                ImportedIdentity(
                    source=self.source,
                    key=key,
                    name=author.name[:200],
                    email=author.email[:254] if "@" in author.email else "",
                )
            )
        users = User.objects.bulk_create(users, batch_size=BATCH_SIZE)
        for identity, user in zip(identities, users, strict=True):
            identity.user_id = user.pk
            found[identity.key] = user.pk
        ImportedIdentity.objects.bulk_create(identities, batch_size=BATCH_SIZE)
        return found, missing


def _display_name(author: SourceAuthor) -> str:
    name = strip_hidden_characters(author.name).strip()[:60]
    return name or "Anonymous"


def _existing_nodes(existing: dict[str, int]) -> dict[str, tuple]:
    if not existing:
        return {}
    by_pk = {pk: sid for sid, pk in existing.items()}
    rows = Comment.objects.filter(pk__in=list(by_pk)).values_list(
        "pk", "depth", "root_id", "parent_id"
    )
    return {by_pk[row[0]]: row for row in rows}


def import_records(
    records: Iterable[Record],
    *,
    source: str,
    dry_run: bool = False,
    url_map: dict[str, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    return Importer(source=source, dry_run=dry_run, url_map=url_map, on_progress=on_progress).run(
        records
    )
