"""Lead images: upload checks, the worker's renditions, the <picture> on the page, Open Graph,
seeds that name an image, and the media files served without nginx."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles import images
from articles.images import make_renditions, rendition_widths, validate_lead_image
from articles.models import Article
from articles.seeds import SeedError, parse_seed
from articles.services import import_seed_files
from tests.factories import ArticleFactory, image_bytes, with_lead_image

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


# --- checks on what is uploaded -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP", "AVIF"])
def test_the_usual_formats_are_accepted(kind):
    validate_lead_image(upload(image_bytes((64, 32), kind)))


def test_not_an_image_is_refused_clearly():
    with pytest.raises(ValidationError) as caught:
        validate_lead_image(upload(b"<svg onload=alert(1)>", "x.jpg"))
    assert caught.value.code == "invalid_image"


def test_other_image_formats_are_refused_by_name():
    with pytest.raises(ValidationError) as caught:
        validate_lead_image(upload(image_bytes((64, 32), "GIF", "P"), "x.gif"))
    assert caught.value.code == "invalid_format"
    assert "GIF" in caught.value.messages[0]


def test_too_many_bytes_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(ValidationError) as caught:
        validate_lead_image(upload(image_bytes((800, 600), "PNG") + b"\0" * 2000))
    assert caught.value.code == "too_large"


def test_too_many_pixels_is_refused_from_the_header(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 64 * 32 - 1)
    with pytest.raises(ValidationError) as caught:
        validate_lead_image(upload(image_bytes((64, 32), "PNG")))
    assert caught.value.code == "too_many_pixels"


def test_a_decompression_bomb_is_refused():
    """A tiny PNG claiming 40,000 x 40,000 pixels: Pillow's own bomb check fires on open."""
    bomb = io.BytesIO()
    Image.new("1", (40_000, 40_000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 1_000_000
    with pytest.raises(ValidationError) as caught:
        validate_lead_image(upload(bomb.getvalue(), "bomb.png"))
    assert caught.value.code == "too_many_pixels"


def test_alt_text_is_required_with_an_image():
    article = ArticleFactory()
    article.lead_image.save("photo.jpg", ContentFile(image_bytes((64, 32))), save=False)
    with pytest.raises(ValidationError) as caught:
        article.full_clean()
    assert "lead_image_alt" in caught.value.message_dict
    article.lead_image_alt = "Cranes at dusk"
    article.full_clean()


# --- renditions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (2400, [480, 800, 1200, 1600]),
        (1600, [480, 800, 1200, 1600]),
        (1000, [480, 800, 1000]),
        (300, [300]),
    ],
)
def test_widths_are_never_upscaled(width, expected):
    assert rendition_widths(width) == expected


def test_renditions_in_every_format_and_the_open_graph_crop():
    name = default_storage.save("lead-images/p.png", ContentFile(image_bytes((1000, 500), "PNG")))
    made = make_renditions(name)
    assert made["source"] == name
    assert made["widths"] == [480, 800, 1000]
    for kind, pillow_format in (("avif", "AVIF"), ("webp", "WEBP"), ("jpeg", "JPEG")):
        for width in made["widths"]:
            with default_storage.open(made[kind][str(width)]) as file, Image.open(file) as image:
                assert image.format == pillow_format
                assert image.size == (width, width // 2)
    with default_storage.open(made["og"]) as file, Image.open(file) as og:
        assert (og.format, og.size) == ("JPEG", (1200, 630))


def test_saving_a_new_image_queues_its_renditions(run_tasks):
    article = with_lead_image(ArticleFactory())
    assert article.lead_image_renditions == {}
    assert run_tasks() == 1
    article.refresh_from_db()
    assert article.lead_image_ready
    assert article.lead_image_renditions["widths"] == [480, 800, 960]
    # Saving again without a new image queues nothing.
    article.title = "New title"
    article.save()
    assert run_tasks() == 0


def test_a_replaced_image_drops_the_old_renditions_and_skips_its_stale_task(run_tasks):
    article = with_lead_image(ArticleFactory())
    first = article.lead_image.name
    with_lead_image(article, size=(500, 300))
    assert article.lead_image.name != first
    assert run_tasks() == 2  # the first image's task finds it replaced and does nothing
    article.refresh_from_db()
    assert article.lead_image_renditions["source"] == article.lead_image.name
    assert article.lead_image_renditions["widths"] == [480, 500]
    article.lead_image = None
    article.save()
    article.refresh_from_db()
    assert article.lead_image_renditions == {}


# --- the page ---------------------------------------------------------------------------------


def test_page_shows_the_original_sized_until_renditions_exist(client):
    article = with_lead_image(
        ArticleFactory(), lead_image_caption="The quay", lead_image_credit="Jo Bloggs"
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<source" not in html
    assert (
        f'<img src="{article.lead_image.url}" width="960" height="540" alt="Cranes at dusk" '
        'decoding="async" fetchpriority="high">'
    ) in html
    assert "The quay" in html
    assert "Image: Jo Bloggs" in html


def test_page_offers_avif_webp_and_jpeg_at_every_width(client, run_tasks):
    article = with_lead_image(ArticleFactory())
    run_tasks()
    article.refresh_from_db()
    html = client.get(article.get_absolute_url()).content.decode()
    renditions = article.lead_image_renditions
    avif = ", ".join(f"/media/{renditions['avif'][str(w)]} {w}w" for w in renditions["widths"])
    assert f'<source type="image/avif" srcset="{avif}" sizes="{images.SIZES}">' in html
    assert '<source type="image/webp"' in html
    assert html.index('type="image/avif"') < html.index('type="image/webp"') < html.index("<img")
    assert f'src="/media/{renditions["jpeg"]["800"]}" srcset="/media/' in html
    assert 'width="960" height="540" alt="Cranes at dusk"' in html
    assert 'loading="lazy"' not in html  # the article's own image is in view at once


def test_lazy_outside_the_lead_position(rf):
    from django.template.loader import render_to_string

    article = with_lead_image(ArticleFactory())
    html = render_to_string("articles/_lead_image.html", {"article": article})
    assert 'loading="lazy"' in html
    assert "fetchpriority" not in html
    without = render_to_string("articles/_lead_image.html", {"article": ArticleFactory()})
    assert without.strip() == ""


def test_alt_text_and_caption_are_escaped(client):
    article = with_lead_image(ArticleFactory(), alt='"><script>x</script>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>x</script>" not in html
    assert 'alt="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in html


def test_open_graph_uses_the_crop_once_made_and_the_card_before(client, run_tasks, settings):
    article = with_lead_image(ArticleFactory())
    html = client.get(article.get_absolute_url()).content.decode()
    card = f"{settings.SITE_URL}/articles/{article.slug}/card.png?v="
    assert f'<meta property="og:image" content="{card}' in html
    run_tasks()
    article.refresh_from_db()
    html = client.get(article.get_absolute_url()).content.decode()
    crop = settings.SITE_URL + "/media/" + article.lead_image_renditions["og"]
    assert f'<meta property="og:image" content="{crop}">' in html
    assert '<meta property="og:image:type" content="image/jpeg">' in html
    assert '<meta property="og:image:alt" content="Cranes at dusk">' in html
    assert f'<meta name="twitter:image" content="{crop}">' in html


def test_an_image_adds_no_query_to_the_article_page(client, run_tasks, page_queries):
    plain, pictured = ArticleFactory(), with_lead_image(ArticleFactory())
    run_tasks()
    counts = []
    for article in (plain, pictured):
        with page_queries() as sql:
            assert client.get(article.get_absolute_url()).status_code == 200
        counts.append(len(sql))
    assert counts[0] == counts[1]


def test_media_files_are_served_for_a_year_without_nginx(client):
    article = with_lead_image(ArticleFactory())
    response = client.get(article.lead_image.url)
    assert b"".join(response.streaming_content) == article.lead_image.read()
    article.lead_image.close()
    response.close()
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    assert client.get("/media/lead-images/missing.jpg").status_code == 404
    assert client.get("/media/../.secret_key").status_code == 400


# --- seeds -------------------------------------------------------------------------------------

SEED = """---
title: Cranes
image: {image}
image_alt: Cranes at dusk
image_caption: The quay
image_credit: Jo Bloggs
---
Body.
"""


def test_front_matter_names_a_file_beside_the_seed():
    parsed = parse_seed(SEED.format(image="cranes.jpg"), name="a.md")
    assert parsed.image.file_name == "cranes.jpg"
    assert parsed.image.described == ("Cranes at dusk", "The quay", "Jo Bloggs")
    assert parsed.image.line == 3


@pytest.mark.parametrize("image", ["../secret.jpg", "/etc/passwd", "sub/x.jpg", ".hidden.jpg"])
def test_an_image_path_outside_the_folder_is_refused(image):
    with pytest.raises(SeedError) as caught:
        parse_seed(SEED.format(image=image), name="a.md")
    assert str(caught.value).startswith("a.md:3: image")


def test_an_image_without_alt_text_is_refused():
    text = SEED.format(image="x.jpg").replace("image_alt: Cranes at dusk\n", "")
    with pytest.raises(SeedError, match=r"a\.md:3: image_alt is required"):
        parse_seed(text, name="a.md")


def test_import_copies_the_image_and_a_bad_one_fails_alone(tmp_path):
    (tmp_path / "cranes.jpg").write_bytes(image_bytes((800, 400)))
    (tmp_path / "broken.jpg").write_bytes(b"not a picture")
    (tmp_path / "a.md").write_text(SEED.format(image="cranes.jpg"))
    (tmp_path / "b.md").write_text(SEED.format(image="missing.jpg").replace("Cranes", "B"))
    (tmp_path / "c.md").write_text(SEED.format(image="broken.jpg").replace("Cranes", "C"))
    report = import_seed_files(sorted(tmp_path.glob("*.md")))
    assert report.summary.startswith("1 created")
    errors = sorted(map(str, report.errors))
    assert errors[0].startswith("b.md:3: image 'missing.jpg': cannot read it")
    assert errors[1].startswith("c.md:3: image 'broken.jpg': This file is not an image")
    article = Article.objects.get()
    assert (article.lead_image_width, article.lead_image_height) == (800, 400)
    assert article.lead_image_caption == "The quay"
    # Imported again unchanged: still unchanged, no second copy.
    assert import_seed_files([tmp_path / "a.md"]).summary.startswith("0 created, 0 updated, 1")
