"""Social card images: a 1200x630 PNG per article with its title, the site name and its tags.

Drawn with Pillow's bundled font (no font files from the system, so a fresh machine draws the
same picture), stored under `cards/<article id>/<digest>.png` in the default storage. The digest
covers everything drawn, so a new title or tag set gives a new file and the URL in `og:image`
changes with it (social sites cache images by URL).
"""

import hashlib
import io
import json
import logging
from functools import cache

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing changes, so every card is drawn again.
CARD_VERSION = 2
# Drawing is bounded whatever an article carries: the first few tags (the rest as "+N"),
# and no more of the title than an article may have.
MAX_CARD_TAGS = 4
MAX_TITLE_CHARACTERS = 300
MARGIN = 72
BACKGROUND = (18, 24, 38)
FOREGROUND = (245, 245, 240)
MUTED = (170, 180, 200)
ACCENT = (138, 180, 255)


def card_digest(*, title: str, tags: list[str]) -> str:
    payload = json.dumps(
        [CARD_VERSION, settings.SITE_NAME, title, sorted(tags)], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def article_card_digest(article) -> str:
    """Uses `article.tags.all()`, so prefetch tags when calling this for many articles."""
    return card_digest(title=article.title, tags=[tag.name for tag in article.tags.all()])


@cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    # A single word longer than the card is cut rather than drawn off the edge.
    return [_fit(line, font, width) for line in lines]


def _fit(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """The text, or its longest start that fits with an ellipsis: a binary search, so a long
    text costs a few measurements, not one per character cut."""
    if font.getlength(text) <= width:
        return text
    low, high = 0, len(text)  # text[:low] + "…" fits (or low is 0); text[:high] + "…" does not
    while high - low > 1:
        middle = (low + high) // 2
        if font.getlength(text[:middle] + "…") <= width:
            low = middle
        else:
            high = middle
    return text[:low].rstrip() + "…"


def _tags_line(tags: list[str], font: ImageFont.FreeTypeFont, width: int) -> str:
    """The first MAX_CARD_TAGS tags, then how many more ("+196")."""
    shown = "  ·  ".join(f"#{tag}" for tag in tags[:MAX_CARD_TAGS])
    if len(tags) <= MAX_CARD_TAGS:
        return _fit(shown, font, width)
    more = f"  +{len(tags) - MAX_CARD_TAGS}"
    return _fit(shown, font, width - int(font.getlength(more)) - 1) + more


def _title_lines(title: str, width: int, max_height: int) -> tuple[ImageFont.FreeTypeFont, list]:
    """The largest type size at which the title fits; very long titles end with an ellipsis."""
    for size in (76, 68, 60, 54, 48, 44):
        font = _font(size)
        lines = _wrap(title, font, width)
        if len(lines) * size * 1.2 <= max_height:
            return font, lines
    max_lines = int(max_height // (size * 1.2))
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _fit(lines[max_lines - 1] + " …", font, width)]
    return font, lines


def render_card(*, title: str, tags: list[str]) -> bytes:
    """The PNG bytes of one card."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, 16, HEIGHT), fill=ACCENT)

    site_font = _font(34)
    draw.text((MARGIN, MARGIN - 10), settings.SITE_NAME, font=site_font, fill=ACCENT)

    tag_font = _font(30)
    tags_line = _tags_line(tags, tag_font, text_width)
    tags_top = HEIGHT - MARGIN - 30

    title_top = MARGIN + 70
    title = title[:MAX_TITLE_CHARACTERS]
    font, lines = _title_lines(title, text_width, tags_top - title_top - 30)
    line_height = int(font.size * 1.2)
    for number, line in enumerate(lines):
        draw.text((MARGIN, title_top + number * line_height), line, font=font, fill=FOREGROUND)

    if tags:
        draw.text((MARGIN, tags_top), tags_line, font=tag_font, fill=MUTED)

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def article_card(article) -> tuple[str, bytes]:
    """The card's digest and PNG bytes, drawn once per title and tag set and then read back."""
    tags = [tag.name for tag in article.tags.all()]
    digest = card_digest(title=article.title, tags=tags)
    folder = f"cards/{article.pk}"
    name = f"{folder}/{digest}.png"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return digest, stored.read()
    png = render_card(title=article.title, tags=tags)
    try:
        # Two first requests at once may both draw; the loser's copy (saved under another name)
        # goes with the stale cards.
        default_storage.save(name, ContentFile(png))
        _remove_stale(folder, keep=name)
    except OSError:
        # A read-only or full disk costs a redraw per request, never a broken og:image.
        logger.warning("Cannot store the social card %s", name, exc_info=True)
    return digest, png


def _remove_stale(folder: str, *, keep: str) -> None:
    """Cards drawn for an earlier title or tag set are never asked for again."""
    try:
        _, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for file_name in files:
        path = f"{folder}/{file_name}"
        if path != keep:
            default_storage.delete(path)
