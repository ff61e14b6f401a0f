"""Exports: JSON lines rebuild the discussions exactly; the Disqus export reads back in."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from accounts.models import User
from comments.models import Comment, CommentRevision
from portability.exporters import export_comments
from portability.models import ImportedIdentity, ImportedRecord
from portability.services import comments_import
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)


def comment(article, author, body, *, parent=None, minutes=0, **fields):
    reply_to = None
    if parent is not None and parent.depth >= 3:
        reply_to, parent = parent, parent.parent
    return Comment.objects.create(
        article=article,
        author=author,
        body=body,
        parent=parent,
        root=(parent.root or parent) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        reply_to=reply_to,
        created_at=T0 + dt.timedelta(minutes=minutes),
        **fields,
    )


@pytest.fixture
def discussion():
    first = ArticleFactory(slug="harbour", title="Harbour news")
    second = ArticleFactory(slug="ferries", title="Ferries")
    ArticleFactory(slug="quiet", title="No comments here")
    ana = UserFactory(display_name="Ana Ñúñez", email="ana@example.com")
    ben = UserFactory(display_name="", email="ben.b@example.com")
    top = comment(first, ana, "Top *level* — ünïcode 🚢", minutes=1, like_count=4)
    a = comment(first, ben, "Reply one", parent=top, minutes=2)
    b = comment(first, ana, "Reply two", parent=a, minutes=3, is_pinned=True)
    c = comment(first, ben, "Reply three", parent=b, minutes=4)
    comment(first, ana, "Past the cap", parent=c, minutes=5)  # reply_to c, parent b
    comment(first, None, "From a deleted account", minutes=6)
    comment(first, ben, "Held", status=Comment.Status.PENDING, minutes=7)
    comment(first, ben, "Spam", status=Comment.Status.SPAM, minutes=8)
    comment(first, ana, "Hidden", status=Comment.Status.HIDDEN, minutes=9)
    comment(first, ana, "Gone", deleted_at=T0 + dt.timedelta(days=1), minutes=10)
    edited = comment(second, ben, "Edited text", edited_at=T0 + dt.timedelta(hours=2), minutes=11)
    CommentRevision.objects.create(comment=edited, body="First text", created_at=T0)
    CommentRevision.objects.create(
        comment=edited, body="Second text", created_at=T0 + dt.timedelta(hours=1)
    )
    return first, second


def export(format="jsonl", slug=None) -> str:
    out = io.StringIO()
    export_comments(out, format=format, slug=slug)
    return out.getvalue()


def empty_the_discussions() -> None:
    """The articles stay (a JSON lines export references them); everything else goes."""
    Comment.objects.all().delete()
    ImportedRecord.objects.all().delete()
    ImportedIdentity.objects.all().delete()
    User.objects.all().delete()


def test_jsonl_holds_what_rebuilds_a_discussion(discussion):
    rows = [json.loads(line) for line in export().splitlines()]
    assert rows[0] == {"format": "newsite-comments", "type": "header", "version": 1}
    kinds = [row["type"] for row in rows]
    assert kinds.count("article") == 2  # articles without comments are left out
    assert kinds.count("author") == 2
    assert kinds.count("comment") == 11
    authors = [row for row in rows if row["type"] == "author"]
    assert {a["name"] for a in authors} == {"Ana Ñúñez", "ben.b"}
    assert all(set(a) == {"type", "id", "name", "email"} for a in authors)  # no password
    article = next(row for row in rows if row["type"] == "article")
    assert article["url"].endswith("/articles/ferries/") or article["url"].endswith("/harbour/")
    edited = next(row for row in rows if row.get("body") == "Edited text")
    assert [r["body"] for r in edited["revisions"]] == ["First text", "Second text"]
    capped = next(row for row in rows if row.get("body") == "Past the cap")
    three = next(row for row in rows if row.get("body") == "Reply three")
    assert capped["parent"] == three["id"]  # the comment it answers, not where it hangs
    top = next(row for row in rows if row.get("body", "").startswith("Top"))
    assert top["like_count"] == 4


def test_round_trip_is_byte_identical_once_sorted(discussion, tmp_path, mailoutbox):
    before = export()
    path = tmp_path / "export.jsonl"
    path.write_text(before, encoding="utf-8")
    empty_the_discussions()

    report = comments_import(path=path, format="jsonl")
    assert report.comments_created == 11
    assert report.authors_created == 2
    assert report.unmatched_count == 0
    after = export()
    assert sorted(before.splitlines()) == sorted(after.splitlines())
    assert mailoutbox == []
    capped = Comment.objects.get(body="Past the cap")
    assert capped.depth == 3
    assert capped.reply_to.body == "Reply three"
    assert capped.parent.body == "Reply two"
    # And a second import of the same file creates nothing.
    again = comments_import(path=path, format="jsonl")
    assert again.comments_created == 0
    assert sorted(export().splitlines()) == sorted(before.splitlines())


def test_one_article(discussion):
    rows = [json.loads(line) for line in export(slug="ferries").splitlines()]
    assert [row["body"] for row in rows if row["type"] == "comment"] == ["Edited text"]


def test_disqus_export_reads_back_in(discussion, tmp_path):
    xml = export("disqus")
    assert xml.startswith(
        '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com"'
    )
    assert "<isSpam>true</isSpam>" in xml
    path = tmp_path / "disqus.xml"
    path.write_text(xml, encoding="utf-8")
    empty_the_discussions()

    report = comments_import(path=path, format="disqus")
    assert report.threads_matched == 2
    assert report.comments_created == 11
    harbour = Comment.objects.filter(article=discussion[0])
    assert harbour.get(body__startswith="Top").author.display_name == "Ana Ñúñez"
    assert harbour.get(body__startswith="Top").body_html.startswith("<p>Top <em>level</em>")
    assert harbour.get(body="Spam").status == Comment.Status.SPAM
    assert harbour.get(body="Held").status == Comment.Status.PENDING
    assert harbour.get(body="Gone").deleted_at is not None
    capped = harbour.get(body="Past the cap")
    assert capped.reply_to == harbour.get(body="Reply three")
    discussion[0].refresh_from_db()
    assert (
        discussion[0].comment_count
        == Comment.objects.counted().filter(article=discussion[0]).count()
    )


def test_export_command_writes_a_file(discussion, tmp_path):
    target = tmp_path / "out.jsonl"
    call_command("export_comments", "--format=jsonl", "--article=harbour", f"--output={target}")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len([line for line in lines if '"type": "comment"' in line]) == 10
    out = io.StringIO()
    call_command("export_comments", "--format=disqus", stdout=out)
    assert out.getvalue().rstrip().endswith("</disqus>")
