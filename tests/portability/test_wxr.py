"""WordPress WXR 1.2: posts become articles, their comments come along."""

from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article
from comments.models import Comment
from portability.importers.core import ImportFileError
from portability.models import ImportedRecord
from portability.services import comments_import

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def run(path=FIXTURES / "wxr.xml", **kwargs):
    return comments_import(path=path, format="wxr", **kwargs)


def test_posts_become_articles(mailoutbox):
    report = run()
    assert report.articles_created == 2
    assert report.threads_matched == 2
    article = Article.objects.get(slug="lighthouse-keepers-return")
    assert article.title == "Lighthouse keepers return to Skerry Ørn"
    assert article.published_at.isoformat() == "2019-06-01T09:30:00+00:00"
    assert article.is_published
    assert article.summary == "Keepers are back on the island."
    assert sorted(t.name for t in article.tags.all()) == ["Lighthouses", "Shipping"]
    html = article.body_html
    assert "<strong>keepers</strong>" in html
    assert "<em>twice</em>" in html
    assert '<a href="https://council.example.org/lights"' in html
    assert "<h2>Why now</h2>" in html
    assert "<blockquote>" in html
    assert "<li>One boat</li>" in html
    assert "script" not in html
    assert "document.write" not in html
    assert "<img" not in html
    assert "iframe" not in html
    draft = Article.objects.get(slug="ferry-fares")
    assert draft.status == Article.Status.DRAFT
    assert not draft.is_published
    assert mailoutbox == []


def test_comments_keep_nesting_and_status():
    report = run()
    assert report.comments_created == 5
    assert report.comments_skipped == 2  # the pingback and the attachment
    assert report.authors_created == 4
    comments = {
        r.source_id: r.comment
        for r in ImportedRecord.objects.filter(kind="comment", source="wxr").select_related(
            "comment__author"
        )
    }
    assert comments["302"].parent == comments["301"]
    assert comments["301"].author.display_name == "Søren Fiskar"
    assert "<em>Finally</em>" in comments["301"].body_html
    assert comments["301"].body_html.count("<p>") == 2  # WordPress's blank-line paragraphs
    assert comments["303"].status == Comment.Status.PENDING
    assert comments["304"].status == Comment.Status.SPAM
    assert comments["305"].status == Comment.Status.REMOVED
    article = Article.objects.get(slug="lighthouse-keepers-return")
    assert article.comment_count == 2


def test_reader_sees_articles_comments_search_and_feed():
    run()
    client = Client()
    page = client.get("/articles/lighthouse-keepers-return/").content.decode()
    assert "Agreed — 灯台 are worth keeping." in page
    assert "Still waiting for a moderator" not in page
    assert "Buy pills" not in page
    assert "soren@example.net" not in page
    assert client.get("/articles/ferry-fares/").status_code == 404
    assert "Lighthouse keepers return" in client.get("/").content.decode()
    found = client.get("/search/", {"q": "Skerry automation"}).content.decode()
    assert "Lighthouse keepers return" in found
    feed = client.get("/articles/lighthouse-keepers-return/comments.rss").content.decode()
    assert "worth keeping" in feed
    tag = client.get("/tags/lighthouses/").content.decode()
    assert "Lighthouse keepers return" in tag


def test_second_run_creates_nothing():
    run()
    articles, comments = Article.objects.count(), Comment.objects.count()
    again = run()
    assert again.articles_created == 0
    assert again.comments_created == 0
    assert again.comments_existing == 5
    assert (Article.objects.count(), Comment.objects.count()) == (articles, comments)


def test_dry_run_writes_nothing():
    report = run(dry_run=True)
    assert report.articles_created == 2
    assert report.comments_created == 5
    assert not Article.objects.exists()
    assert not Comment.objects.exists()


def test_malformed_file_names_the_line():
    with pytest.raises(ImportFileError, match=r"^line 90, column \d+: malformed XML"):
        run(FIXTURES / "wxr-malformed.xml")
    assert not Article.objects.exists()


def test_bad_post_fails_alone(tmp_path):
    bad = tmp_path / "long-title.xml"
    text = (FIXTURES / "wxr.xml").read_text()
    bad.write_text(text.replace("Draft: ferry fares", "Fares " * 80))
    report = run(bad)
    assert report.threads_failed == 1
    assert "title" in report.errors[0]
    assert Article.objects.filter(slug="lighthouse-keepers-return").exists()
    assert not Article.objects.filter(slug="ferry-fares").exists()


def test_disqus_file_is_refused_as_wxr():
    with pytest.raises(ImportFileError, match="It looks like a Disqus XML export"):
        run(FIXTURES / "disqus.xml")


def test_plain_rss_feed_is_refused(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/">'
        "<channel><title>x</title><item><title>y</title></item></channel></rss>"
    )
    with pytest.raises(ImportFileError, match="an RSS feed without <wp:wxr_version>"):
        run(feed)


XXE = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>&secret;</title></item></channel></rss>"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>&lol3;</title></item></channel></rss>"""


@pytest.mark.parametrize("attack", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
@pytest.mark.parametrize("format", ["wxr", "disqus"])
def test_entities_are_refused(tmp_path, attack, format):
    path = tmp_path / "attack.xml"
    if format == "disqus":
        attack = attack.replace("<rss xmlns:wp=", '<disqus xmlns="http://disqus.com" xmlns:wp=')
        attack = attack.replace("</rss>", "</disqus>")
    path.write_text(attack)
    with pytest.raises(ImportFileError, match="refused: the file declares entities"):
        comments_import(path=path, format=format)
    assert not Article.objects.exists()


def test_future_post_is_scheduled(tmp_path):
    later = (timezone.now() + timezone.timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    text = (FIXTURES / "wxr.xml").read_text()
    text = text.replace(
        "2019-06-01 09:30:00]]></wp:post_date_gmt>", f"{later}]]></wp:post_date_gmt>"
    )
    text = text.replace("<![CDATA[publish]]>", "<![CDATA[future]]>")
    path = tmp_path / "future.xml"
    path.write_text(text)
    run(path)
    article = Article.objects.get(slug="lighthouse-keepers-return")
    assert article.status == Article.Status.PUBLISHED
    assert not article.is_published


def test_post_whose_article_exists_brings_only_its_comments():
    from tests.factories import ArticleFactory

    existing = ArticleFactory(slug="lighthouse-keepers-return", title="Keepers (our version)")
    report = run()
    assert report.articles_created == 1  # only the draft
    existing.refresh_from_db()
    assert existing.title == "Keepers (our version)"
    assert existing.comments.count() == 5
    assert not Article.objects.filter(slug__startswith="lighthouse-keepers-return-").exists()


def test_percent_encoded_slug(tmp_path):
    text = (FIXTURES / "wxr.xml").read_text()
    text = text.replace("[lighthouse-keepers-return]", "[%e6%b8%af-harbour-%c3%b8rn]")
    path = tmp_path / "encoded.xml"
    path.write_text(text)
    report = run(path)
    assert report.threads_failed == 0
    assert (
        Article.objects.filter(slug="harbour-rn").exists()
        or Article.objects.filter(slug="harbour-orn").exists()
    )


def test_an_import_sends_no_webhook(settings, django_capture_on_commit_callbacks):
    """Nothing is sent during an import: its articles are published and its comments made
    with writes that send no signal, so a subscribed endpoint hears nothing."""
    from webhooks.models import Delivery
    from webhooks.services import endpoint_create

    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    endpoint_create(
        name="CRM",
        url="http://127.0.0.1:9/hook",
        events=["article.published", "comment.created", "comment.held", "comment.published"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = run()
    assert report.articles_created == 2
    assert Comment.objects.exists()
    assert not Delivery.objects.exists()
