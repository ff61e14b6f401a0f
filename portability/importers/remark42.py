"""Remark42 backup (`backup-<site>-<date>.gz`, also written by its export API): gzipped JSON
lines. The first line is a meta record (`version`, `users`, `posts`); every other line is one
comment: `id`, `pid` (parent, empty at the top), `text` (rendered HTML; `orig` keeps the
Markdown the reader typed), `user` {`id`, `name`}, `locator` {`site`, `url`}, `time`, `edit`,
`score`, `pin`, `delete`, `imported`, `title`.

Quirks: no e-mail addresses (users are known by provider ids like `github_…`), so imported
authors cannot be claimed (claiming matches a verified address); `delete` comments have their
text erased already; threads are known only by URL.
"""

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from comments.models import Comment

from .core import ImportFileError, Record, SourceAuthor, SourceComment, SourceThread, WrongFormat
from .xmlutil import parse_date

# One record a line: a line longer than this is refused rather than read into memory whole
# (a small gzip file can unpack to one enormous line).
MAX_LINE = 64 * 2**20


def _lines(file) -> Iterator[str]:
    number = 0
    while line := file.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise ImportFileError(f"line {number}: longer than {MAX_LINE // 2**20} MB")
        yield line


def sniff(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(2) == b"\x1f\x8b"


def read(path: Path, *, site_url: str = "") -> Iterator[Record]:
    if not sniff(path):
        raise WrongFormat("this is not a Remark42 backup: it is not gzipped")
    threads: set[str] = set()
    try:
        with gzip.open(path, "rt", encoding="utf-8") as file:
            for number, line in enumerate(_lines(file), start=1):
                if not line.strip():
                    continue
                where = f"line {number}"
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    if number == 1:
                        raise WrongFormat("this is not a Remark42 backup: not JSON lines") from exc
                    raise ImportFileError(f"{where}: not JSON ({exc.msg})") from exc
                if number == 1:
                    if not isinstance(row, dict) or "version" not in row:
                        raise WrongFormat("this is not a Remark42 backup: no meta record first")
                    for post in row.get("posts") or []:
                        if url := post.get("url"):
                            threads.add(url)
                            yield SourceThread(id=url, url=url)
                    continue
                try:
                    yield from _comment(row, where, threads)
                except (KeyError, TypeError, AttributeError) as exc:
                    raise ImportFileError(f"{where}: missing or wrong field {exc}") from exc
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ImportFileError(f"cannot read the gzipped backup: {exc}") from exc


def _comment(row: dict, where: str, threads: set[str]) -> Iterator[Record]:
    url = row["locator"]["url"]
    if url not in threads:
        threads.add(url)
        yield SourceThread(id=url, url=url, title=row.get("title", ""))
    user = row.get("user") or {}
    key = user.get("id", "")
    if key:
        yield SourceAuthor(key=key, name=user.get("name", ""))
    body = row.get("orig")
    is_html = not (isinstance(body, str) and body.strip())
    body = row["text"] if is_html else body.strip()
    edit = row.get("edit") or {}
    votes = row.get("score", 0)
    yield SourceComment(
        id=row["id"],
        thread=url,
        parent=row.get("pid", ""),
        body=body,
        is_html=is_html,
        created_at=parse_date(row["time"], where=where),
        edited_at=parse_date(edit["time"], where=where) if edit.get("time") else None,
        author=key,
        status=Comment.Status.PUBLISHED,
        is_deleted=bool(row.get("delete")),
        like_count=max(int(votes), 0),
        is_pinned=bool(row.get("pin")),
        record=f"{where} (comment {row['id']})",
    )
