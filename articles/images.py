"""Lead images: what an upload must be, and the renditions the worker makes of it.

The original goes to the default storage (STORAGES["default"]: MEDIA_ROOT, or an S3-compatible
bucket through django-storages). The worker (articles.tasks) writes AVIF, WebP and JPEG copies
at a few widths, never wider than the original, and a 1200x630 JPEG for Open Graph; the
article's `lead_image_renditions` lists them. Until they exist, pages show the original.
"""

import hashlib
import io
import secrets
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

# Widths the page offers (CSS pixels at 1x and 2x cover 390 px phones to 1280 px desktops).
RENDITION_WIDTHS = (480, 800, 1200, 1600)
# Formats in the order browsers should prefer them; the last one is the <img> fallback.
RENDITION_FORMATS = {
    "avif": {"format": "AVIF", "quality": 55, "speed": 6},
    "webp": {"format": "WEBP", "quality": 78, "method": 4},
    "jpeg": {"format": "JPEG", "quality": 80, "optimize": True, "progressive": True},
}
MIME_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"}
OG_SIZE = (1200, 630)

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# Decoded, 40 megapixels take 120 MB; a small file claiming more is a decompression bomb.
MAX_PIXELS = 40_000_000
ACCEPTED_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "AVIF": ".avif"}


def lead_image_path(instance, filename: str) -> str:
    """A random name: uploads never collide, and the original name leaks nothing."""
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix not in ACCEPTED_FORMATS.values():
        suffix = ".jpg"
    return f"lead-images/{secrets.token_hex(8)}{suffix}"


def validate_lead_image(file) -> None:
    """A JPEG, PNG, WebP or AVIF within the byte and pixel caps, checked before decoding."""
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is %(size)s MB; the limit is %(limit)s MB."),
            code="too_large",
            params={
                "size": f"{file.size / 1_048_576:.1f}",
                "limit": MAX_UPLOAD_BYTES // 1_048_576,
            },
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        # open() reads the header only: the size is known before any pixel is decoded.
        with Image.open(file) as image:
            kind, (width, height) = image.format, image.size
            if kind in ACCEPTED_FORMATS and width * height <= MAX_PIXELS:
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        kind, width, height = "bomb", MAX_PIXELS, MAX_PIXELS
    except Exception as exc:  # Pillow raises many kinds for a damaged or foreign file
        raise ValidationError(
            _("This file is not an image we can read (JPEG, PNG, WebP or AVIF)."),
            code="invalid_image",
        ) from exc
    finally:
        file.seek(position)
    if kind != "bomb" and kind not in ACCEPTED_FORMATS:
        raise ValidationError(
            _("%(format)s images are not accepted: upload a JPEG, PNG, WebP or AVIF."),
            code="invalid_format",
            params={"format": kind},
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("The image is too large in pixels; the limit is %(limit)s megapixels."),
            code="too_many_pixels",
            params={"limit": MAX_PIXELS // 1_000_000},
        )


def rendition_widths(original_width: int) -> list[int]:
    """The standard widths below the original's, then the original's own if it is narrower
    than the widest: never upscaled, and the sharpest copy is always offered."""
    widths = [w for w in RENDITION_WIDTHS if w < original_width]
    if original_width <= RENDITION_WIDTHS[-1]:
        widths.append(original_width)
    return widths


def _flattened(image: Image.Image) -> Image.Image:
    """Upright RGB: EXIF rotation applied, transparency laid on white (JPEG has no alpha)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image: Image.Image, kind: str) -> bytes:
    options = dict(RENDITION_FORMATS[kind])
    buffer = io.BytesIO()
    image.save(buffer, options.pop("format"), **options)
    return buffer.getvalue()


def make_renditions(source_name: str, *, storage=default_storage) -> dict:
    """Write every rendition of the stored image `source_name`; returns what
    `Article.lead_image_renditions` keeps: {"source", "widths", "<format>": {width: name},
    "og": name}."""
    with storage.open(source_name, "rb") as file, Image.open(file) as opened:
        opened.load()
        image = _flattened(opened)
    folder = "lead-images/renditions/" + hashlib.sha256(source_name.encode()).hexdigest()[:16]
    widths = rendition_widths(image.width)
    renditions: dict = {"source": source_name, "widths": widths}
    for kind in RENDITION_FORMATS:
        renditions[kind] = {}
    for width in widths:
        height = round(image.height * width / image.width)
        resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
        for kind in RENDITION_FORMATS:
            suffix = "jpg" if kind == "jpeg" else kind
            name = storage.save(f"{folder}/w{width}.{suffix}", ContentFile(_encode(resized, kind)))
            renditions[kind][str(width)] = name
    og = ImageOps.fit(image, OG_SIZE, Image.LANCZOS, centering=(0.5, 0.5))
    renditions["og"] = storage.save(f"{folder}/og.jpg", ContentFile(_encode(og, "jpeg")))
    return renditions


# What the page's layout gives the image: the text column (42rem less its padding), or the
# screen less its margins on a phone. Keep in step with .wrap in static/css/site.css.
SIZES = "(min-width: 42rem) 40rem, calc(100vw - 2rem)"
# The <img> src for browsers without srcset: a width that suits most screens.
FALLBACK_WIDTH = 800


def picture(article) -> dict | None:
    """What templates/articles/_lead_image.html needs: a <source> per modern format and the
    JPEG <img>; the original, sized, while the worker is still making renditions."""
    if not article.lead_image:
        return None
    image = article.lead_image
    data = {
        "width": article.lead_image_width,
        "height": article.lead_image_height,
        "sizes": SIZES,
        "sources": [],
        "srcset": "",
        "src": image.url,
    }
    if not article.lead_image_ready:
        return data
    renditions = article.lead_image_renditions
    url = image.storage.url

    def srcset(kind: str) -> str:
        return ", ".join(f"{url(name)} {width}w" for width, name in renditions[kind].items())

    data["sources"] = [
        {"type": MIME_TYPES[kind], "srcset": srcset(kind)} for kind in ("avif", "webp")
    ]
    data["srcset"] = srcset("jpeg")
    fallback = min(renditions["widths"], key=lambda width: abs(width - FALLBACK_WIDTH))
    data["src"] = url(renditions["jpeg"][str(fallback)])
    return data


def og_image(article) -> dict | None:
    """The 1200x630 crop for Open Graph, once made."""
    if not article.lead_image_ready:
        return None
    return {
        "url": article.lead_image.storage.url(article.lead_image_renditions["og"]),
        "width": OG_SIZE[0],
        "height": OG_SIZE[1],
        "type": "image/jpeg",
    }
