"""The editors' article screens: list, edit, preview, publishing, history, delete, upload."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from articles.services import article_publish, article_unpublish
from tests.factories import ArticleFactory, SourceFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:articles_article_changelist"
FIXTURES = django_settings.BASE_DIR / "tests" / "seed_fixtures"
SEED = django_settings.BASE_DIR / "seeds" / "000_bdaed668570d60b1.txt"


def form_data(article: Article, **changes) -> dict:
    """The article's change form as a browser would post it back."""
    local = timezone.localtime(article.published_at)
    data = {
        "title": article.title,
        "slug": article.slug,
        "language": article.language,
        "summary": article.summary,
        "body": article.body,
        "status": article.status,
        "published_at_0": local.strftime("%Y-%m-%d"),
        "published_at_1": local.strftime("%H:%M:%S"),
        "comments_open": "on" if article.comments_open else "",
        "tags": [t.pk for t in article.tags.all()],
        "sources": [s.pk for s in article.sources.all()],
        # The byline inline's management form (no authors).
        "bylined-TOTAL_FORMS": "0",
        "bylined-INITIAL_FORMS": "0",
        "bylined-MIN_NUM_FORMS": "0",
        "bylined-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


# --- list ---------------------------------------------------------------------------------


def test_changelist_shows_what_an_editor_scans(editor_client):
    ArticleFactory(
        title="Budget passes",
        tags=[TagFactory(name="Politics")],
        sources=[SourceFactory(name="Reuters")],
        comment_count=7,
    )
    ArticleFactory(title="Coming soon", published_at=timezone.now() + datetime.timedelta(days=1))
    ArticleFactory(title="Half written", status=Article.Status.DRAFT)
    html = editor_client.get(reverse(CHANGELIST)).content.decode()
    for text in ("Budget passes", "Politics", "Reuters", ">7<", "Scheduled", "Draft"):
        assert text in html
    assert "Import seed files" in html
    assert "Recover deleted articles" in html


def _changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_articles(editor_client):
    """Stops the N+1 of one tags and one sources query per listed article."""
    tags, sources = [TagFactory(), TagFactory()], [SourceFactory()]
    ArticleFactory(tags=tags, sources=sources)
    one = _changelist_queries(editor_client)
    ArticleFactory.create_batch(29, tags=tags, sources=sources)
    assert _changelist_queries(editor_client) == one


def test_search_and_filters(editor_client):
    tag = TagFactory(name="Space")
    ArticleFactory(title="Rocket lands", tags=[tag])
    ArticleFactory(title="Bread prices rise")
    ArticleFactory(title="Moon plans", status=Article.Status.DRAFT, tags=[tag])
    ArticleFactory(title="Mars launch", published_at=timezone.now() + datetime.timedelta(hours=3))

    def titles(query: str) -> set[str]:
        response = editor_client.get(reverse(CHANGELIST) + query)
        return {a.title for a in response.context["cl"].result_list}

    assert titles("?q=rocket") == {"Rocket lands"}
    assert titles(f"?tags__id__exact={tag.pk}") == {"Rocket lands", "Moon plans"}
    assert titles("?status__exact=draft") == {"Moon plans"}
    assert titles("?visibility=scheduled") == {"Mars launch"}
    assert titles("?visibility=live") == {"Rocket lands", "Bread prices rise"}


# --- edit and preview -----------------------------------------------------------------------


def test_change_form_has_editor_affordances(editor_client):
    article = ArticleFactory(status=Article.Status.DRAFT)
    html = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = html.content.decode()
    assert 'class="newsroom-body-editor' in html
    assert "Markdown: leave a blank line between paragraphs" in html
    # tags, sources and the byline's author (the inline's empty row)
    assert html.count('class="admin-autocomplete') == 3
    assert "data-prepopulated-fields" in html
    assert "#id_slug" in html
    preview = reverse("articles:preview", kwargs={"slug": article.slug})
    assert f'<a href="{preview}" class="viewsitelink">' in html


def test_view_on_site_points_to_preview_until_published(editor_client):
    from articles.admin import ArticleAdmin

    admin = ArticleAdmin(Article, None)
    draft = ArticleFactory(status=Article.Status.DRAFT, slug="draft-one")
    live = ArticleFactory(slug="live-one")
    assert admin.view_on_site(draft) == "/articles/draft-one/preview/"
    assert admin.view_on_site(live) == "/articles/live-one/"


def test_preview_is_for_staff_only(client, editor, moderator):
    draft = ArticleFactory(status=Article.Status.DRAFT, title="Secret plans", slug="secret")
    preview = reverse("articles:preview", kwargs={"slug": "secret"})
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(preview).status_code == 302  # to the sign-in page
    client.force_login(UserFactory())
    assert client.get(preview).status_code == 302  # readers are not staff
    client.force_login(moderator)
    assert client.get(preview).status_code == 403  # staff without articles.view_article
    client.force_login(editor)
    response = client.get(preview)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Secret plans" in html
    assert 'class="preview-banner"' in html
    assert "draft" in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]
    assert client.get(draft.get_absolute_url()).status_code == 404  # even for the editor


# --- publishing workflow --------------------------------------------------------------------


def test_scheduled_article_appears_when_its_time_comes(client, monkeypatch):
    """No cron job: published() compares published_at with the time of the request."""
    when = timezone.now() + datetime.timedelta(hours=2)
    article = ArticleFactory(status=Article.Status.DRAFT, slug="tomorrow")
    article_publish(article=article, at=when)
    assert article.status == Article.Status.PUBLISHED
    assert not Article.objects.published().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 404

    later = when + datetime.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert Article.objects.published().filter(pk=article.pk).exists()
    assert client.get(article.get_absolute_url()).status_code == 200


def test_publishing_a_draft_dates_it_now_but_keeps_a_schedule():
    started = timezone.now() - datetime.timedelta(days=5)
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=started)
    article_publish(article=draft)
    assert draft.published_at > started
    assert draft.is_published

    future = timezone.now() + datetime.timedelta(days=1)
    scheduled = ArticleFactory(status=Article.Status.DRAFT, published_at=future)
    article_publish(article=scheduled)
    assert scheduled.published_at == future
    assert not scheduled.is_published
    article_unpublish(article=scheduled)
    assert scheduled.status == Article.Status.DRAFT


@pytest.mark.parametrize(
    ("action", "field", "before", "after"),
    [
        ("publish", "status", Article.Status.DRAFT, Article.Status.PUBLISHED),
        ("unpublish", "status", Article.Status.PUBLISHED, Article.Status.DRAFT),
        ("close_comments", "comments_open", True, False),
        ("reopen_comments", "comments_open", False, True),
    ],
)
def test_bulk_publishing_actions(editor_client, editor, action, field, before, after):
    articles = ArticleFactory.create_batch(3, **{field: before})
    untouched = ArticleFactory(**{field: before})
    response = editor_client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [a.pk for a in articles]},
        follow=True,
    )
    assert "3 articles" in response.content.decode()
    for article in articles:
        article.refresh_from_db()
        assert getattr(article, field) == after
        # Each article keeps its state before the action and after it, with who did it.
        versions = Version.objects.get_for_object(article)
        assert versions.count() == 2
        assert versions.first().revision.user == editor
    untouched.refresh_from_db()
    assert getattr(untouched, field) == before


def test_unpublish_hides_article_from_readers(editor_client, client):
    article = ArticleFactory(slug="gone-soon")
    assert client.get("/articles/gone-soon/").status_code == 200
    editor_client.post(
        reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [article.pk]}
    )
    client.logout()
    assert client.get("/articles/gone-soon/").status_code == 404


# --- history: versions, compare, restore, delete and recover ---------------------------------


def test_every_save_keeps_a_version_and_an_editor_restores_one(editor_client, editor):
    article = ArticleFactory(summary="The original standfirst.", tags=[TagFactory(name="Old")])
    change = reverse("admin:articles_article_change", args=[article.pk])
    new_tag = TagFactory(name="New")
    response = editor_client.post(
        change, form_data(article, summary="A rewritten standfirst.", tags=[new_tag.pk])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.summary == "A rewritten standfirst."

    versions = Version.objects.get_for_object(article)  # newest first
    assert versions.count() == 2
    latest, original = versions
    assert latest.revision.user == editor
    assert "Changed" in latest.revision.get_comment()
    assert original.field_dict["summary"] == "The original standfirst."

    history = editor_client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert "Compare two versions" in history.content.decode()
    compare = editor_client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": original.pk, "to": latest.pk},
    )
    html = compare.content.decode()
    assert "- The original standfirst." in html
    assert "+ A rewritten standfirst." in html
    assert "- Old" in html
    assert "+ New" in html

    # The revert form shows the old version; posting it restores it, tags included.
    revert = reverse("admin:articles_article_revision", args=[article.pk, original.pk])
    form = editor_client.get(revert)
    assert "The original standfirst." in form.content.decode()
    article.refresh_from_db()
    assert article.summary == "A rewritten standfirst."  # viewing changes nothing
    old = Article(**{k: v for k, v in original.field_dict.items() if k not in {"tags", "sources"}})
    data = form_data(old, tags=original.field_dict["tags"], sources=[])
    assert editor_client.post(revert, data).status_code == 302
    article.refresh_from_db()
    assert article.summary == "The original standfirst."
    assert [t.name for t in article.tags.all()] == ["Old"]
    assert Version.objects.get_for_object(article).count() == 3


def test_delete_asks_first_and_can_be_recovered(editor_client, editor):
    article = ArticleFactory(title="Regrettable deletion", tags=[TagFactory(name="Keep")])
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    confirm = editor_client.get(delete).content.decode()
    assert "Are you sure" in confirm
    assert "Regrettable deletion" in confirm
    assert editor_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Article.objects.filter(title="Regrettable deletion").exists()

    recover_list = editor_client.get(reverse("admin:articles_article_recoverlist"))
    assert "Regrettable deletion" in recover_list.content.decode()
    version = Version.objects.get_deleted(Article).get()
    assert version.revision.user == editor
    recover = reverse("admin:articles_article_recover", args=[version.pk])
    assert editor_client.get(recover).status_code == 200
    old = Article(**{k: v for k, v in version.field_dict.items() if k not in {"tags", "sources"}})
    response = editor_client.post(recover, form_data(old, tags=version.field_dict["tags"]))
    assert response.status_code == 302
    restored = Article.objects.get(title="Regrettable deletion")
    assert [t.name for t in restored.tags.all()] == ["Keep"]


def test_bulk_delete_is_recoverable_too(editor_client):
    articles = ArticleFactory.create_batch(2)
    editor_client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [a.pk for a in articles], "post": "yes"},
    )
    assert not Article.objects.exists()
    assert Version.objects.get_deleted(Article).count() == 2


# --- seed upload ------------------------------------------------------------------------------


def _upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type="text/plain")


def test_seed_upload_reports_each_file(editor_client):
    url = reverse("admin:articles_article_import")
    assert "multiple" in editor_client.get(url).content.decode()
    files = [_upload(SEED), _upload(FIXTURES / "no_body.txt"), _upload(FIXTURES / "binary.txt")]
    response = editor_client.post(url, {"files": files})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 created" in html
    assert "2 failed" in html
    assert "no_body.txt, line 1</strong>: no body text after the title" in html
    assert "binary.txt, line" in html
    assert Article.objects.filter(seed_file=SEED.name).exists()

    # The same file again: the load_seeds rules say it is unchanged.
    again = editor_client.post(url, {"files": [_upload(SEED)]}).content.decode()
    assert "1 unchanged" in again
    assert Article.objects.count() == 1


def test_seed_upload_needs_files_and_distinct_names(editor_client):
    url = reverse("admin:articles_article_import")
    assert "This field is required" in editor_client.post(url, {}).content.decode()
    twice = [_upload(SEED), _upload(SEED)]
    assert "Each file once" in editor_client.post(url, {"files": twice}).content.decode()
    assert not Article.objects.exists()


def test_seed_upload_cannot_escape_its_folder(editor_client):
    url = reverse("admin:articles_article_import")
    editor_client.post(url, {"files": [_upload(SEED, name="../../evil.txt")]})
    article = Article.objects.get()
    assert article.seed_file == "evil.txt"


def test_an_article_with_comments_is_unpublished_not_deleted(editor_client, superuser, client):
    """Recovering an article would not bring its discussion back, so the admin refuses."""
    from tests.admin.conftest import make_comment

    article = ArticleFactory(title="Much discussed")
    make_comment(article, UserFactory())
    delete = reverse("admin:articles_article_delete", args=[article.pk])
    for who in (editor_client, client):
        if who is client:
            client.force_login(superuser)
        page = who.get(delete).content.decode()
        assert "cannot be deleted here: unpublish it instead" in page
        assert "delete the following types of objects" in page  # Django's own refusal
        who.post(delete, {"post": "yes"})
        assert Article.objects.filter(pk=article.pk).exists()


def test_compare_needs_two_versions_of_this_article(editor_client, moderator):
    article, other = ArticleFactory(), ArticleFactory()
    editor_client.post(
        reverse("admin:articles_article_change", args=[other.pk]),
        form_data(other, summary="Changed."),
    )
    foreign = Version.objects.get_for_object(other).first()
    url = reverse("admin:articles_article_compare", args=[article.pk])
    assert editor_client.get(url).status_code == 404
    assert editor_client.get(url, {"from": "x", "to": "y"}).status_code == 404
    assert editor_client.get(url, {"from": foreign.pk, "to": foreign.pk}).status_code == 404
    editor_client.force_login(moderator)
    assert editor_client.get(url, {"from": foreign.pk, "to": foreign.pk}).status_code == 403


def test_seed_upload_lands_as_drafts_with_links_to_them(editor_client, client):
    url = reverse("admin:articles_article_import")
    html = editor_client.post(url, {"files": [_upload(SEED)]}).content.decode()
    article = Article.objects.get(seed_file=SEED.name)
    assert article.status == Article.Status.DRAFT
    assert not article.is_published
    change = reverse("admin:articles_article_change", args=[article.pk])
    assert f'<a href="{change}">{article.title}</a>' in html
    assert reverse("articles:preview", args=[article.slug]) in html
    assert client.get(article.get_absolute_url()).status_code == 404  # readers wait


def test_load_seeds_still_publishes():
    from django.core.management import call_command

    call_command("load_seeds", verbosity=0)
    assert Article.objects.get(seed_file=SEED.name).is_published


def test_one_date_format_with_the_time_zone(editor_client, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    moment = timezone.make_aware(datetime.datetime(2026, 12, 5, 21, 42), datetime.UTC)
    article = ArticleFactory(title="Dated story", published_at=moment)
    listing = editor_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert "6 December 2026, 06:42 JST" in listing  # shown in the site's zone, zone named
    form = editor_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = form.content.decode()
    assert "Day and time in Asia/Tokyo." in html
    assert "p.m." not in html
    assert "a.m." not in html
