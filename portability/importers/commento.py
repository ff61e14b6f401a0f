"""Commento export (Dashboard > Export data, `commento-export.json`): one JSON object with
`version`, `comments` and `commenters`. Comments carry `commentHex`, `url` (a path on
`domain`), `commenterHex`, `markdown`, `parentHex` ("root" at the top), `state` ("approved",
"unapproved", "flagged"), `creationDate` and `deleted`; commenters carry `email` and `name`.

Quirks: one JSON document, so it is read whole (the comments are spooled right after and the
document is let go); "anonymous" is a commenterHex with no commenter; threads have no title.
"""

import json
from collections.abc import Iterator
from pathlib import Path

from comments.models import Comment

from .core import ImportFileError, Record, SourceAuthor, SourceComment, SourceThread, WrongFormat
from .xmlutil import parse_date

STATES = {
    "approved": Comment.Status.PUBLISHED,
    "unapproved": Comment.Status.PENDING,
    "flagged": Comment.Status.SPAM,
}


def sniff(path: Path) -> bool:
    with open(path, "rb") as file:
        head = file.read(4096)
    return (head.lstrip().startswith(b"{") and b"commentHex" in head) or b"commenters" in head


def read(path: Path, *, site_url: str = "") -> Iterator[Record]:
    try:
        with open(path, encoding="utf-8") as file:
            data = json.load(file)
    except json.JSONDecodeError as exc:
        if exc.lineno == 1 and exc.colno == 1:
            raise WrongFormat("this is not a Commento export: not JSON") from exc
        raise ImportFileError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except UnicodeDecodeError as exc:
        raise WrongFormat("this is not a Commento export: not UTF-8 text") from exc
    if not isinstance(data, dict) or "comments" not in data or "commenters" not in data:
        raise WrongFormat("this is not a Commento export: no comments and commenters")
    commenters = {}
    for number, commenter in enumerate(data["commenters"] or [], start=1):
        try:
            commenters[commenter["commenterHex"]] = commenter
        except (KeyError, TypeError) as exc:
            raise ImportFileError(f"commenter {number}: missing field {exc}") from exc
    threads: set[str] = set()
    base = site_url.rstrip("/")
    for number, row in enumerate(data["comments"] or [], start=1):
        where = f"comment {number}"
        try:
            where += f" ({row['commentHex']})"
            path_ = row["url"]
            if path_ not in threads:
                threads.add(path_)
                domain = row.get("domain", "")
                url = f"{base}{path_}" if base else f"https://{domain}{path_}" if domain else path_
                yield SourceThread(id=path_, url=url)
            key = row.get("commenterHex", "")
            commenter = commenters.get(key)
            if commenter:
                yield SourceAuthor(
                    key=key, name=commenter.get("name", ""), email=commenter.get("email", "")
                )
            else:
                key = ""
            state = row.get("state", "approved")
            if state not in STATES:
                raise ImportFileError(f"{where}: unknown state “{state}”")
            parent = row.get("parentHex", "root")
            yield SourceComment(
                id=row["commentHex"],
                thread=path_,
                parent="" if parent in {"root", ""} else parent,
                body=row["markdown"],
                created_at=parse_date(row["creationDate"], where=where),
                author=key,
                status=STATES[state],
                is_deleted=bool(row.get("deleted")),
                like_count=max(int(row.get("score", 0)), 0),
                record=where,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ImportFileError(f"{where}: missing or wrong field {exc}") from exc
