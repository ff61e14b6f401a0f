import io

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from discovery.cards import article_card, card_digest, render_card
from tests.discovery.helpers import parse_head
from tests.factories import ArticleFactory, TagFactory


def _card_files(article) -> list[str]:
    folder = settings.MEDIA_ROOT / "cards" / str(article.pk)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def test_card_is_a_1200_by_630_png_with_room_for_long_titles():
    for title in ["Short", "A much longer title " * 12, "Supercalifragilistic" * 10]:
        image = Image.open(io.BytesIO(render_card(title=title, tags=["Security", "Tech"])))
        assert image.format == "PNG"
        assert image.size == (1200, 630)


def test_card_draws_the_title():
    """Different titles give different pictures (the text is really drawn)."""
    one = Image.open(io.BytesIO(render_card(title="Ports reopen", tags=[])))
    two = Image.open(io.BytesIO(render_card(title="Storm closes ports", tags=[])))
    assert one.tobytes() != two.tobytes()
    assert len(one.getcolors(maxcolors=100_000)) > 2


def test_digest_follows_title_tags_and_site_name(settings):
    base = card_digest(title="T", tags=["a", "b"])
    assert card_digest(title="T", tags=["b", "a"]) == base
    assert card_digest(title="T2", tags=["a", "b"]) != base
    assert card_digest(title="T", tags=["a"]) != base
    settings.SITE_NAME = "other"
    assert card_digest(title="T", tags=["a", "b"]) != base


@pytest.mark.django_db
def test_card_view_serves_png_with_cache_headers(client):
    article = ArticleFactory(tags=[TagFactory(name="Security")])
    response = client.get(reverse("discovery:card", kwargs={"slug": article.slug}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"]
    assert "max-age=86400" in response["Cache-Control"]
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    etag = response["ETag"]
    again = client.get(
        reverse("discovery:card", kwargs={"slug": article.slug}), headers={"if-none-match": etag}
    )
    assert again.status_code == 304
    assert again.content == b""


@pytest.mark.django_db
def test_card_is_stored_once_and_redrawn_when_the_title_changes(client, django_assert_num_queries):
    article = ArticleFactory(title="First title", tags=[TagFactory(name="Tech")])
    first_digest, first_png = article_card(article)
    assert _card_files(article) == [f"{first_digest}.png"]
    again_digest, again_png = article_card(article)
    assert (again_digest, again_png) == (first_digest, first_png)

    article.title = "Second title"
    article.save()
    new_digest, new_png = article_card(article)

    assert new_digest != first_digest
    assert new_png != first_png
    # The old picture is gone; only the current one is kept.
    assert _card_files(article) == [f"{new_digest}.png"]
    head = parse_head(client.get(article.get_absolute_url()).content)
    assert head.first("og:image").endswith(f"card.png?v={new_digest}")


@pytest.mark.django_db
def test_card_of_a_draft_is_not_served(client):
    draft = ArticleFactory(status="draft")
    assert client.get(reverse("discovery:card", kwargs={"slug": draft.slug})).status_code == 404


@pytest.mark.django_db
def test_card_is_served_even_when_it_cannot_be_stored(client, settings, caplog):
    settings.MEDIA_ROOT.parent.mkdir(parents=True, exist_ok=True)
    settings.MEDIA_ROOT.write_text("a file where the media folder should be")
    article = ArticleFactory()
    response = client.get(reverse("discovery:card", kwargs={"slug": article.slug}))
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)
    assert "Cannot store the social card" in caplog.text
