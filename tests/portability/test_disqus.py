"""Disqus import: the fixture follows Disqus's documented export (threads, then posts, with
nesting, unicode, a deleted and a spam post, an anonymous author and an unmatched thread)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from articles.models import Article
from comments.models import MAX_DEPTH, Comment
from portability.importers.core import ImportFileError, WrongFormat
from portability.models import ImportedIdentity, ImportedRecord
from portability.services import comments_import
from tests.factories import ArticleFactory

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    return {
        "strike": ArticleFactory(slug="harbour-strike", title="Harbour strike ends"),
        "ferry": ArticleFactory(slug="ferry-timetable", title="Ferry timetable changes"),
        "numbering": ArticleFactory(slug="numbering", title="Renumbered"),
    }


def run(**kwargs):
    options = {"path": FIXTURES / "disqus.xml", "format": "disqus"} | kwargs
    return comments_import(**options)


def test_threads_comments_and_authors_arrive(articles, mailoutbox):
    report = run(url_map=FIXTURES / "url-map.csv")

    assert report.threads == 4
    assert report.threads_matched == 3  # by path, by title, by the URL map
    assert [t["id"] for t in report.unmatched] == ["2003"]
    assert report.comments_created == 9
    assert report.comments_skipped == 1  # the unmatched thread's one comment
    assert report.authors_created == 4  # Zoë, Bob, Guest Reader, Watch Seller
    assert mailoutbox == []

    strike = articles["strike"]
    by_source = {
        r.source_id: r.comment
        for r in ImportedRecord.objects.filter(kind="comment").select_related("comment")
    }
    first = by_source["5001"]
    assert first.article == strike
    assert first.parent is None
    assert first.depth == 0
    assert first.author.display_name == "Zoë Ångström 🚢"
    assert not first.author.is_active
    assert not first.author.has_usable_password()
    # Links, emphasis, quotes and code survive; script and the image do not.
    assert '<a href="https://example.org/report" rel="nofollow ugc noopener">' in first.body_html
    assert "<strong>great</strong>" in first.body_html
    assert "<blockquote>" in first.body_html
    assert "<code>ferry --now</code>" in first.body_html
    assert "script" not in first.body_html
    assert "img" not in first.body_html
    assert "alert" not in first.body_html

    # A reply that came before its parent in the file is nested under it.
    assert by_source["5003"].parent == first
    assert by_source["5003"].root == first
    assert by_source["5005"].depth == MAX_DEPTH
    capped = by_source["5006"]
    assert capped.depth == MAX_DEPTH
    assert capped.parent == by_source["5004"]
    assert capped.reply_to == by_source["5005"]
    assert by_source["5007"].status == Comment.Status.SPAM
    assert by_source["5008"].deleted_at is not None
    assert by_source["5101"].article == articles["ferry"]
    assert "Ελληνικά και 日本語" in by_source["5101"].body
    assert by_source["5301"].article == articles["numbering"]

    strike.refresh_from_db()
    assert strike.comment_count == Comment.objects.counted().filter(article=strike).count() == 5


def test_reader_sees_imported_discussion(articles):
    run()
    page = Client().get(articles["strike"].get_absolute_url())
    html = page.content.decode()
    assert "Zoë Ångström 🚢" in html
    assert "Fifth level: attached higher up" in html
    assert "Buy cheap watches" not in html  # spam stays hidden
    assert "I take it back" not in html  # deleted
    assert "zoe@example.net" not in html.lower()  # addresses are never shown
    assert "alert(1)" not in html


def test_second_run_creates_nothing(articles):
    run()
    counts = (Comment.objects.count(), User.objects.count(), ImportedRecord.objects.count())
    again = run()
    assert again.comments_created == 0
    assert again.authors_created == 0
    assert again.comments_existing == 8
    assert (Comment.objects.count(), User.objects.count(), ImportedRecord.objects.count()) == counts


def test_dry_run_reports_and_writes_nothing(articles):
    report = run(dry_run=True)
    assert report.comments_created == 8
    assert report.authors_created == 4
    assert report.threads_matched == 2
    assert report.unmatched_count == 2
    assert Comment.objects.count() == 0
    assert not ImportedIdentity.objects.exists()
    assert not ImportedRecord.objects.exists()
    assert "Dry run: nothing was written." in report.lines()


def test_identity_keeps_the_address_privately(articles):
    run()
    zoe = ImportedIdentity.objects.get(key="zoe@example.net")
    assert zoe.email == "Zoe@Example.net"
    assert zoe.user.email == ""  # the address never reaches the account or pages


def test_malformed_file_names_the_line(articles):
    with pytest.raises(ImportFileError, match=r"line 31, column \d+: malformed XML"):
        run(path=FIXTURES / "disqus-malformed.xml")
    assert Comment.objects.count() == 0


def test_bad_record_is_named(articles, tmp_path):
    bad = tmp_path / "bad.xml"
    text = (FIXTURES / "disqus.xml").read_text()
    bad.write_text(text.replace("2019-03-01T11:00:00Z", "yesterday"))
    with pytest.raises(ImportFileError, match=r"post 3 \(dsq:id 5004\): “yesterday” is not a date"):
        run(path=bad)


def test_wrong_format_is_refused(articles):
    with pytest.raises(WrongFormat, match="It looks like a WordPress WXR"):
        run(path=FIXTURES / "wxr.xml")


def test_one_failing_thread_rolls_back_alone(articles, monkeypatch):
    from portability.importers import core

    original = core.Importer._comments

    def failing(self, spool, article, comments):
        if article.slug == "ferry-timetable":
            raise RuntimeError("disk on fire")
        return original(self, spool, article, comments)

    monkeypatch.setattr(core.Importer, "_comments", failing)
    with pytest.raises(CommandError, match="1 threads failed"):
        call_command("import_comments", str(FIXTURES / "disqus.xml"), "--format=disqus")
    Comment.objects.all().delete()
    ImportedRecord.objects.all().delete()
    report = run()
    assert report.threads_failed == 1
    assert "disk on fire" in report.errors[0]
    assert not Comment.objects.filter(article=articles["ferry"]).exists()
    assert not ImportedRecord.objects.filter(kind="thread", source_id="2002").exists()
    assert Comment.objects.filter(article=articles["strike"]).count() == 7


def test_command_prints_the_report(articles):
    from io import StringIO

    out = StringIO()
    call_command("import_comments", str(FIXTURES / "disqus.xml"), "--format=disqus", stdout=out)
    assert "Comments created: 8" in out.getvalue()
    assert "Unmatched thread 2003" in out.getvalue()
    with pytest.raises(CommandError, match="not a Disqus XML export file"):
        call_command("import_comments", str(FIXTURES / "wxr.xml"), "--format=disqus")


def test_cached_pages_and_counts_are_renewed(articles, django_capture_on_commit_callbacks):
    client = Client()
    url = articles["strike"].get_absolute_url()
    assert "Zoë" not in client.get(url).content.decode()  # now cached, empty
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert "Zoë" in client.get(url).content.decode()
    assert Article.objects.get(pk=articles["strike"].pk).comment_count == 5


def test_bodies_rendered_in_a_second_process_match(articles, monkeypatch):
    """Large files render bodies in a spawned worker: the same sanitiser, the same HTML."""
    from comments.rendering import render_comment_markdown
    from portability.importers import core

    monkeypatch.setattr(core._Renderer, "BATCH", 2)
    monkeypatch.setattr(core.os, "cpu_count", lambda: 2)
    run()
    comments = Comment.objects.all()
    assert comments.count() == 8
    for comment in comments:
        assert comment.body_html == render_comment_markdown(comment.body)
