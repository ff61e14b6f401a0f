"""Finding 3: drawing a social card is bounded work, however many tags the article has."""

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

from discovery.cards import HEIGHT, MARGIN, MAX_CARD_TAGS, WIDTH, render_card

TITLE = "Ports reopen after the storm as ministers promise a review of the sea defences"


def _tags(count: int) -> list[str]:
    return [f"Topic number {n}" for n in range(count)]


@pytest.fixture
def measured(monkeypatch) -> dict[str, int]:
    """Counts the text measurements and text drawings Pillow is asked for."""
    calls = {"getlength": 0, "text": 0}
    getlength, text = ImageFont.FreeTypeFont.getlength, ImageDraw.ImageDraw.text

    def counting_getlength(self, *args, **kwargs):
        calls["getlength"] += 1
        return getlength(self, *args, **kwargs)

    def counting_text(self, *args, **kwargs):
        calls["text"] += 1
        return text(self, *args, **kwargs)

    monkeypatch.setattr(ImageFont.FreeTypeFont, "getlength", counting_getlength)
    monkeypatch.setattr(ImageDraw.ImageDraw, "text", counting_text)
    return calls


def _work(calls: dict[str, int], tags: list[str]) -> tuple[dict[str, int], bytes]:
    calls.update(getlength=0, text=0)
    png = render_card(title=TITLE, tags=tags)
    return dict(calls), png


def test_card_work_does_not_grow_with_the_number_of_tags(measured):
    """Finding 3: 200 tags cost about what 3 do (it was quadratic: 60 s for 200 tags)."""
    few, _ = _work(measured, _tags(3))
    many, png = _work(measured, _tags(200))
    assert few["getlength"] > 0  # the counter sees the measurements
    # A binary search over the tags line: a handful more measurements, never one per character.
    assert many["getlength"] <= few["getlength"] + 16, (few, many)
    assert many["text"] == few["text"]

    # Long tag names and a title longer than the model allows are bounded too.
    huge, _ = _work(measured, ["x" * 5000] * 200)
    assert huge["getlength"] <= few["getlength"] + 32, (few, huge)
    measured.update(getlength=0)
    render_card(title="word " * 20_000, tags=[])
    assert measured["getlength"] < 2_000

    image = Image.open(io.BytesIO(png))
    assert image.size == (WIDTH, HEIGHT)


def test_card_with_many_tags_still_draws_the_first_tags_and_the_count(measured, monkeypatch):
    """Finding 3: the card shows the first tags and how many more, within the card."""
    drawn: list[str] = []
    text = ImageDraw.ImageDraw.text

    def recording_text(self, xy, line, *args, **kwargs):
        drawn.append(line)
        return text(self, xy, line, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", recording_text)
    png = render_card(title=TITLE, tags=_tags(200))
    tags_line = drawn[-1]
    assert tags_line.startswith("#Topic number 0  ·  #Topic number 1")
    assert tags_line.endswith(f"  +{200 - MAX_CARD_TAGS}")
    assert ImageFont.load_default(size=30).getlength(tags_line) <= WIDTH - 2 * MARGIN

    # The tags really are drawn: the tags band differs from a card without tags.
    with_tags = Image.open(io.BytesIO(png))
    without = Image.open(io.BytesIO(render_card(title=TITLE, tags=[])))
    band = (MARGIN, HEIGHT - MARGIN - 30, WIDTH - MARGIN, HEIGHT - MARGIN + 10)
    assert with_tags.crop(band).tobytes() != without.crop(band).tobytes()
