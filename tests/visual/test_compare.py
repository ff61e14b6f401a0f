"""The screenshot comparer itself: tolerant of a few pixels, strict beyond, helpful on failure."""

import io

import pytest
from PIL import Image, ImageDraw

from tests.visual import compare


def png(changed_pixels: int = 0) -> bytes:
    image = Image.new("RGB", (100, 100), "white")
    draw = ImageDraw.Draw(image)
    draw.text((10, 40), "newsite", fill="black")
    for n in range(changed_pixels):
        image.putpixel((n % 100, 90 + n // 100), (255, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def references(tmp_path, monkeypatch):
    monkeypatch.setattr(compare, "REFERENCES", tmp_path / "references")
    monkeypatch.setenv("UPDATE_VISUAL_REFS", "1")
    compare.check("page", png(), tmp_path / "out")
    monkeypatch.delenv("UPDATE_VISUAL_REFS")
    return tmp_path


def test_the_same_page_matches(references):
    assert compare.check("page", png(), references / "out") is None


def test_a_few_pixels_are_tolerated(references):
    assert compare.check("page", png(changed_pixels=50), references / "out") is None  # 0.5 %


def test_more_fail_and_leave_the_actual_and_a_diff(references):
    problem = compare.check("page", png(changed_pixels=51), references / "out")
    assert "0.51% of pixels differ" in str(problem)
    assert (references / "out" / "page-actual.png").exists()
    diff = Image.open(references / "out" / "page-diff.png")
    assert diff.getpixel((0, 90)) == (255, 0, 255)


def test_a_missing_reference_says_how_to_make_one(references):
    problem = compare.check("other", png(), references / "out")
    assert "make visual-refs" in str(problem)


def test_a_different_size_fails(references):
    buffer = io.BytesIO()
    Image.new("RGB", (100, 120), "white").save(buffer, "PNG")
    assert "size (100, 120)" in str(compare.check("page", buffer.getvalue(), references / "out"))
