"""The article form's Preview: the unsaved changes as readers would see them, saving nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from newsite import pagecache
from tests.admin.test_articles_admin import form_data
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


def preview_url(article: Article | None = None) -> str:
    if article is None:
        return reverse("admin:articles_article_form_preview")
    return reverse("admin:articles_article_form_preview", args=[article.pk])


def test_preview_shows_unsaved_changes_and_saves_nothing(editor_client):
    article = ArticleFactory(title="Harbour reopens", body="The old body.", status="draft")
    new_tag = TagFactory(name="Shipping")
    data = form_data(article, title="Harbour reopens at dawn", body="A **new** body.")
    data["tags"] = [new_tag.pk]
    response = editor_client.post(preview_url(article), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Harbour reopens at dawn</h1>" in html
    assert "A <strong>new</strong> body." in html
    assert ">Shipping</a>" in html  # unsaved tags too
    assert "Unsaved changes" in html
    assert f'href="{reverse("admin:articles_article_change", args=[article.pk])}"' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]

    article.refresh_from_db()
    assert (article.title, article.body) == ("Harbour reopens", "The old body.")
    assert list(article.tags.all()) == []


def test_preview_of_a_new_article_creates_nothing(editor_client):
    article = ArticleFactory(title="Not yet written", slug="not-yet")
    data = form_data(article, status="draft")
    article.delete()
    response = editor_client.post(preview_url(), data)
    assert "Not yet written</h1>" in response.content.decode()
    assert not Article.objects.filter(slug="not-yet").exists()


def test_preview_of_an_invalid_form_lists_what_to_fix(editor_client):
    article = ArticleFactory()
    response = editor_client.post(preview_url(article), form_data(article, title=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The preview needs a valid form" in html
    assert "title: This field is required." in html


def test_preview_does_not_touch_the_page_cache(editor_client, client):
    article = ArticleFactory(title="Live story")
    client.get(article.get_absolute_url())
    versions_before = pagecache.current_versions([pagecache.SITE, pagecache.LISTS])
    assert all(versions_before.values())
    editor_client.post(preview_url(article), form_data(article, title="Changed in preview"))
    assert pagecache.current_versions([pagecache.SITE, pagecache.LISTS]) == versions_before
    assert "Changed in preview" not in client.get(article.get_absolute_url()).content.decode()


def test_preview_is_post_only_and_for_editors(editor, moderator):
    article = ArticleFactory()
    as_editor, as_moderator, anonymous = Client(), Client(), Client()
    as_editor.force_login(editor)
    as_moderator.force_login(moderator)
    assert as_editor.get(preview_url(article)).status_code == 405
    assert as_moderator.post(preview_url(article), form_data(article)).status_code == 403
    assert anonymous.post(preview_url(article), form_data(article)).status_code == 302  # login


def test_the_form_has_a_preview_button(editor_client):
    article = ArticleFactory()
    html = editor_client.get(reverse("admin:articles_article_change", args=[article.pk])).content
    assert f'formaction="{preview_url(article)}"'.encode() in html
    assert b'formtarget="_blank"' in html
    add = editor_client.get(reverse("admin:articles_article_add")).content
    assert f'formaction="{preview_url()}"'.encode() in add
