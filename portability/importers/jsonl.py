"""newsite's own export (`export_comments --format jsonl`): one JSON object a line.

The first line is a header naming the format; then articles (referenced by URL and slug: the
target site must have them), authors (no password hashes) and comments with their nesting,
status, edit history and like counts.
"""

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

from comments.models import Comment

from .core import ImportFileError, Record, SourceAuthor, SourceComment, SourceThread, WrongFormat
from .xmlutil import parse_date

FORMAT = "newsite-comments"
VERSION = 1
STATUSES = frozenset(Comment.Status.values)


def sniff(path: Path) -> bool:
    with open(path, "rb") as file:
        return FORMAT.encode() in file.readline(4096)


def _date(value, where: str) -> dt.datetime | None:
    return parse_date(value, where=where) if value else None


def read(path: Path, *, site_url: str = "") -> Iterator[Record]:
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            where = f"line {number}"
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                if number == 1:
                    raise WrongFormat("this is not a newsite JSON lines export") from exc
                raise ImportFileError(f"{where}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise ImportFileError(f"{where}: expected a JSON object")
            if number == 1:
                if row.get("format") != FORMAT:
                    raise WrongFormat("this is not a newsite JSON lines export (no header)")
                if row.get("version") != VERSION:
                    raise ImportFileError(f"{where}: version {row.get('version')} is unknown")
                continue
            try:
                yield _record(row, where)
            except (KeyError, TypeError, ValueError) as exc:
                raise ImportFileError(f"{where}: missing or wrong field {exc}") from exc


def _record(row: dict, where: str) -> Record:
    kind = row["type"]
    if kind == "article":
        return SourceThread(
            id=str(row["id"]), url=row.get("url", ""), title=row.get("title", ""), slug=row["slug"]
        )
    if kind == "author":
        return SourceAuthor(
            key=str(row["id"]), name=row.get("name", ""), email=row.get("email", "")
        )
    if kind == "comment":
        if row["status"] not in STATUSES:
            raise ImportFileError(f"{where}: unknown status “{row['status']}”")
        return SourceComment(
            id=str(row["id"]),
            thread=str(row["article"]),
            parent=str(row["parent"]) if row.get("parent") is not None else "",
            author=str(row["author"]) if row.get("author") is not None else "",
            body=row["body"],
            status=row["status"],
            created_at=parse_date(row["created_at"], where=where),
            edited_at=_date(row.get("edited_at"), where),
            deleted_at=_date(row.get("deleted_at"), where),
            like_count=int(row.get("like_count", 0)),
            is_pinned=bool(row.get("is_pinned", False)),
            revisions=tuple(
                (r["body"], parse_date(r["created_at"], where=where))
                for r in row.get("revisions", [])
            ),
            record=where,
        )
    raise ImportFileError(f"{where}: unknown record type “{kind}”")
