"""Editors upload a lead image in the article form, with alt text, and see a preview."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles import images
from tests.admin.test_articles_admin import form_data
from tests.factories import ArticleFactory, image_bytes, with_lead_image

pytestmark = pytest.mark.django_db


def change_url(article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def post(client, article, **changes):
    return client.post(change_url(article), form_data(article, **changes))


def test_upload_without_alt_text_is_refused_beside_the_field(editor_client):
    article = ArticleFactory()
    picture = SimpleUploadedFile("p.jpg", image_bytes((640, 360)), content_type="image/jpeg")
    response = post(editor_client, article, lead_image=picture)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["lead_image_alt"] == [
        "Describe the image for readers who cannot see it."
    ]
    article.refresh_from_db()
    assert not article.lead_image


def test_upload_with_alt_text_is_stored_sized_and_queued(editor_client, run_tasks):
    article = ArticleFactory()
    picture = SimpleUploadedFile("p.jpg", image_bytes((640, 360)), content_type="image/jpeg")
    response = post(
        editor_client,
        article,
        lead_image=picture,
        lead_image_alt="Cranes at dusk",
        lead_image_caption="The quay",
        lead_image_credit="Jo Bloggs",
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.lead_image_width, article.lead_image_height) == (640, 360)
    assert (article.lead_image_alt, article.lead_image_credit) == ("Cranes at dusk", "Jo Bloggs")
    assert run_tasks() == 1
    article.refresh_from_db()
    assert article.lead_image_ready


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # Django's own check, before ours.
        (b"GIF89a not really", "Upload a valid image."),
        (image_bytes((64, 32), "GIF", "P"), "GIF images are not accepted"),
    ],
)
def test_bad_uploads_get_a_clear_error(editor_client, data, message):
    article = ArticleFactory()
    upload = SimpleUploadedFile("p.gif", data, content_type="image/gif")
    response = post(editor_client, article, lead_image=upload, lead_image_alt="A picture")
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["lead_image"])
    assert message in errors


def test_too_many_pixels_is_refused_in_the_form(editor_client, monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 1000)
    article = ArticleFactory()
    upload = SimpleUploadedFile("p.png", image_bytes((64, 32), "PNG"), content_type="image/png")
    response = post(editor_client, article, lead_image=upload, lead_image_alt="A picture")
    assert response.status_code == 200
    assert "megapixels" in " ".join(response.context["adminform"].form.errors["lead_image"])


def test_form_shows_a_preview_of_the_original_then_of_the_small_rendition(editor_client, run_tasks):
    article = with_lead_image(ArticleFactory(), size=(960, 540))
    html = editor_client.get(change_url(article)).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert (
        f'<img src="{article.lead_image.url}" alt="Cranes at dusk" width="240" height="135" '
        'class="lead-image-preview"> Smaller copies are being made.'
    ) in html
    run_tasks()
    article.refresh_from_db()
    html = editor_client.get(change_url(article)).content.decode()
    small = "/media/" + article.lead_image_renditions["jpeg"]["480"]
    assert f'<img src="{small}" alt="Cranes at dusk" width="240" height="135"' in html
    assert "style=" not in html.split('class="lead-image-preview"')[0].rsplit("<img", 1)[1]
