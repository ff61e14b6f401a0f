"""Screenshots against committed references, with a small tolerance for anti-aliasing.

A pixel differs when any channel moves by more than PIXEL_THRESHOLD (of 255); a screenshot
matches when at most MAX_DIFFERING_SHARE of its pixels differ. `make visual-refs` (which sets
UPDATE_VISUAL_REFS=1) rewrites the references: do it deliberately, and look at the PNGs in the
commit. A mismatch saves the actual picture and a diff under test-results/visual/.
"""

import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageChops

REFERENCES = Path(__file__).resolve().parent / "references"
PIXEL_THRESHOLD = 24
MAX_DIFFERING_SHARE = 0.005


def updating() -> bool:
    return os.environ.get("UPDATE_VISUAL_REFS", "") == "1"


@dataclass
class Mismatch:
    name: str
    problem: str

    def __str__(self) -> str:
        return f"{self.name}: {self.problem}"


def differing_share(reference: Image.Image, actual: Image.Image) -> tuple[float, Image.Image]:
    """The share of pixels that differ beyond the threshold, and a picture of where."""
    difference = ImageChops.difference(reference.convert("RGB"), actual.convert("RGB"))
    # The largest channel difference per pixel, then 255 where it is over the threshold.
    channels = difference.split()
    strongest = ImageChops.lighter(ImageChops.lighter(channels[0], channels[1]), channels[2])
    mask = strongest.point(lambda value: 255 if value > PIXEL_THRESHOLD else 0)
    differing = mask.histogram()[255]
    return differing / (mask.width * mask.height), mask


def check(name: str, png: bytes, output: Path) -> Mismatch | None:
    """Compare one screenshot with references/<name>.png (or write it when updating)."""
    reference_path = REFERENCES / f"{name}.png"
    actual = Image.open(io.BytesIO(png))
    if updating():
        REFERENCES.mkdir(parents=True, exist_ok=True)
        # Palette PNGs: a third of the size, and the comparison's tolerance absorbs the rounding.
        actual.convert("RGB").quantize(256).save(reference_path, optimize=True)
        return None
    if not reference_path.exists():
        return Mismatch(name, "no reference yet: run `make visual-refs` and commit the PNG")
    with Image.open(reference_path) as opened:
        reference = opened.convert("RGB")
    output.mkdir(parents=True, exist_ok=True)
    if reference.size != actual.size:
        actual.save(output / f"{name}-actual.png")
        return Mismatch(name, f"size {actual.size} instead of {reference.size}")
    share, mask = differing_share(reference, actual)
    if share <= MAX_DIFFERING_SHARE:
        return None
    actual.save(output / f"{name}-actual.png")
    # The diff: the reference dimmed, differing pixels in magenta.
    faded = Image.blend(reference.convert("RGB"), Image.new("RGB", reference.size, "white"), 0.7)
    faded.paste(Image.new("RGB", reference.size, (255, 0, 255)), mask=mask)
    faded.save(output / f"{name}-diff.png")
    return Mismatch(
        name,
        f"{share:.2%} of pixels differ (limit {MAX_DIFFERING_SHARE:.1%}); see "
        f"{output / (name + '-actual.png')} and {name}-diff.png",
    )
