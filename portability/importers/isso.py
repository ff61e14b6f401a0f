"""Isso's SQLite database file (`comments.db`): `threads` (id, uri, title) and `comments`
(tid, id, parent, created, modified, mode, text, author, email, website, likes, …).

Quirks: times are Unix seconds as floats; `mode` is 1 accepted, 2 waiting for moderation, 4
deleted (kept because it has replies, its text already erased); `text` is the Markdown the
reader typed; `uri` is a path (give --site-url for full URLs in the report). Read with
SQLite's read-only mode, one query streaming rows.
"""

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from comments.models import Comment

from .core import ImportFileError, Record, SourceAuthor, SourceComment, SourceThread, WrongFormat

MODES = {1: Comment.Status.PUBLISHED, 2: Comment.Status.PENDING, 4: Comment.Status.PUBLISHED}


def sniff(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(16) == b"SQLite format 3\x00"


def _when(value, where: str) -> dt.datetime:
    try:
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    except (TypeError, ValueError, OverflowError):
        raise ImportFileError(f"{where}: “{value}” is not a time") from None


def read(path: Path, *, site_url: str = "") -> Iterator[Record]:
    if not sniff(path):
        raise WrongFormat("this is not an Isso database: not an SQLite file")
    db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        # An uploaded database is data, not code: its schema's functions are not trusted.
        db.execute("PRAGMA trusted_schema = OFF")
        db.execute("PRAGMA query_only = ON")
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"threads", "comments"} <= tables:
            raise WrongFormat("this is not an Isso database: no threads and comments tables")
        base = site_url.rstrip("/")
        for tid, uri, title in db.execute("SELECT id, uri, title FROM threads ORDER BY id"):
            yield SourceThread(id=str(tid), url=f"{base}{uri}" if base else uri, title=title or "")
        rows = db.execute(
            "SELECT tid, id, parent, created, modified, mode, text, author, email, likes "
            "FROM comments ORDER BY id"
        )
        for tid, cid, parent, created, modified, mode, text, author, email, likes in rows:
            where = f"comment {cid}"
            if mode not in MODES:
                raise ImportFileError(f"{where}: unknown mode {mode}")
            key = (email or "").lower() or (f"name:{author}" if author else "")
            if key:
                yield SourceAuthor(key=key, name=author or "", email=email or "")
            yield SourceComment(
                id=str(cid),
                thread=str(tid),
                parent=str(parent) if parent else "",
                body=(text or "").strip(),
                created_at=_when(created, where),
                edited_at=_when(modified, where) if modified else None,
                author=key,
                status=MODES[mode],
                is_deleted=mode == 4,
                like_count=max(int(likes or 0), 0),
                record=where,
            )
    except sqlite3.DatabaseError as exc:
        raise ImportFileError(f"cannot read the Isso database: {exc}") from exc
    finally:
        db.close()
