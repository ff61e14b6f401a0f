"""Remark42, Commento, Isso and our own JSON lines: each fixture follows its format's
documentation, with nesting, unicode, deleted and spam or held items."""

import gzip
import sqlite3
from pathlib import Path

import pytest
from django.test import Client

from comments.models import Comment
from portability.importers.core import ImportFileError, WrongFormat
from portability.models import ImportedIdentity, ImportedRecord
from portability.services import comments_import
from tests.factories import ArticleFactory

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def strike():
    return ArticleFactory(slug="harbour-strike", title="Harbour strike ends")


def gzipped(tmp_path, name):
    path = tmp_path / (name + ".gz")
    path.write_bytes(gzip.compress((FIXTURES / name).read_bytes()))
    return path


def isso_db(tmp_path, name="isso.sql"):
    path = tmp_path / "comments.db"
    with sqlite3.connect(path) as db:
        db.executescript((FIXTURES / name).read_text(encoding="utf-8"))
    db.close()
    return path


def imported(source):
    return {
        r.source_id: r.comment
        for r in ImportedRecord.objects.filter(source=source, kind="comment").select_related(
            "comment__author"
        )
    }


def page_of(article) -> str:
    return Client().get(article.get_absolute_url()).content.decode()


# --- Remark42 ----------------------------------------------------------------------------


def test_remark42(strike, tmp_path):
    report = comments_import(path=gzipped(tmp_path, "remark42-backup.jsonl"), format="remark42")
    assert report.comments_created == 4
    assert report.unmatched_count == 1
    assert report.unmatched[0]["url"] == "https://old.example.com/gone/"
    comments = imported("remark42")
    assert comments["c-002"].parent == comments["c-001"]
    assert comments["c-003"].parent == comments["c-002"]
    assert comments["c-003"].edited_at is not None
    assert comments["c-002"].is_pinned
    assert comments["c-001"].like_count == 3
    assert comments["c-004"].deleted_at is not None
    assert comments["c-001"].body == "First **remark** with a [link](https://example.org)."
    page = page_of(strike)
    assert "Svar på norsk: «fint»" in page
    assert "<strong>remark</strong>" in page
    strike.refresh_from_db()
    assert strike.comment_count == 3
    again = comments_import(path=gzipped(tmp_path, "remark42-backup.jsonl"), format="remark42")
    assert again.comments_created == 0


def test_remark42_malformed_names_the_line(strike, tmp_path):
    with pytest.raises(ImportFileError, match=r"^line 4: not JSON"):
        comments_import(path=gzipped(tmp_path, "remark42-malformed.jsonl"), format="remark42")
    assert not Comment.objects.exists()


def test_remark42_refuses_plain_text(strike):
    with pytest.raises(WrongFormat):
        comments_import(path=FIXTURES / "remark42-backup.jsonl", format="remark42")


# --- Commento ----------------------------------------------------------------------------


def test_commento(strike):
    report = comments_import(path=FIXTURES / "commento.json", format="commento")
    assert report.comments_created == 5
    assert report.authors_created == 2  # "anonymous" is nobody in particular
    comments = imported("commento")
    assert comments["aa02"].parent == comments["aa01"]
    assert comments["aa01"].author.display_name == "Lin Wei"
    assert comments["aa03"].status == Comment.Status.PENDING
    assert comments["aa03"].author is None
    assert comments["aa04"].status == Comment.Status.SPAM
    assert comments["aa05"].deleted_at is not None
    page = page_of(strike)
    assert "Commento says <strong>hello</strong> — 你好" in page
    assert "lin@example.net" not in page
    assert ImportedIdentity.objects.get(key="c001").email == "lin@example.net"


def test_commento_malformed_names_the_line(strike):
    with pytest.raises(ImportFileError, match=r"^line 5, column \d+: Expecting ','"):
        comments_import(path=FIXTURES / "commento-malformed.json", format="commento")


def test_commento_refuses_another_json(strike, tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"posts": []}')
    with pytest.raises(WrongFormat, match="not a Commento JSON"):
        comments_import(path=other, format="commento")


# --- Isso ----------------------------------------------------------------------------------


def test_isso(strike, tmp_path):
    report = comments_import(
        path=isso_db(tmp_path), format="isso", site_url="https://old.example.com"
    )
    assert report.comments_created == 5
    assert report.unmatched[0]["url"] == "https://old.example.com/2017/unknown-post/"
    comments = imported("isso")
    assert comments["2"].parent == comments["1"]
    assert comments["2"].edited_at is not None
    assert comments["3"].status == Comment.Status.PENDING
    assert comments["4"].deleted_at is not None
    assert comments["5"].parent == comments["4"]
    assert comments["1"].like_count == 3
    assert comments["1"].created_at.isoformat() == "2017-07-14T02:40:00.500000+00:00"
    page = page_of(strike)
    assert "Isso <em>markdown</em> — ça va?" in page
    assert "Reply to a deleted comment" in page


def test_isso_malformed_names_the_record(strike, tmp_path):
    with pytest.raises(ImportFileError, match=r"^comment 3: “not a time” is not a time"):
        comments_import(path=isso_db(tmp_path, "isso-malformed.sql"), format="isso")
    assert not Comment.objects.exists()


def test_isso_refuses_another_sqlite_file(strike, tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (id INTEGER)")
    db.close()
    with pytest.raises(WrongFormat, match="no threads and comments tables"):
        comments_import(path=path, format="isso")


# --- our JSON lines ----------------------------------------------------------------------


def test_jsonl(strike):
    report = comments_import(path=FIXTURES / "newsite.jsonl", format="jsonl")
    assert report.comments_created == 4
    comments = imported("jsonl")
    assert comments["42"].author is None
    assert comments["44"].revisions.get().body == "what I first said"
    assert comments["43"].status == Comment.Status.SPAM
    assert "Our own <em>format</em> — ☕" in page_of(strike)


def test_jsonl_malformed_names_the_line(strike):
    with pytest.raises(ImportFileError, match=r"^line 6: unknown status “eaten”"):
        comments_import(path=FIXTURES / "newsite-malformed.jsonl", format="jsonl")


def test_jsonl_refuses_commento(strike):
    with pytest.raises(WrongFormat, match="It looks like a Commento JSON"):
        comments_import(path=FIXTURES / "commento.json", format="jsonl")


def test_remark42_refuses_an_enormous_line(strike, tmp_path, monkeypatch):
    from portability.importers import remark42

    monkeypatch.setattr(remark42, "MAX_LINE", 2_000)
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(b'{"version":1,"users":[],"posts":[]}\n' + b"x" * 10_000))
    with pytest.raises(ImportFileError, match=r"^line 2: longer than"):
        comments_import(path=path, format="remark42")
