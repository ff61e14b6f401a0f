"""The design tokens in static/css/site.css: text/background pairs meet WCAG AA in both schemes,
the forced schemes of the pattern page match the reader's, and the stylesheet mirrors in RTL."""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()

# Text at body size needs 4.5:1 (WCAG 1.4.3 AA); focus rings and borders of controls 3:1 (1.4.11).
TEXT = 4.5
NON_TEXT = 3.0
PAIRS = [
    ("fg", "bg", TEXT),
    ("fg", "card", TEXT),
    ("fg", "surface", TEXT),
    ("fg", "warning-bg", TEXT),
    ("muted", "bg", TEXT),
    ("muted", "card", TEXT),
    ("muted", "surface", TEXT),
    ("accent", "bg", TEXT),
    ("accent", "card", TEXT),
    ("accent", "surface", TEXT),
    ("accent-fg", "accent", TEXT),
    ("kicker", "bg", TEXT),
    ("kicker", "surface", TEXT),
    ("danger", "bg", TEXT),
    ("danger", "card", TEXT),
    ("success", "bg", TEXT),
    ("success", "card", TEXT),
    ("focus", "bg", NON_TEXT),
    ("focus", "card", NON_TEXT),
    ("muted", "warning-bg", TEXT),
]


def block(selector_pattern: str) -> dict[str, str]:
    """The colour tokens (--name: #hex) of the first rule matching the pattern."""
    match = re.search(selector_pattern + r"\s*\{([^}]*)\}", CSS)
    assert match, f"no rule for {selector_pattern}"
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", match.group(1)))


def light() -> dict[str, str]:
    # The second :root rule holds the palette (the first holds fonts, type scale and spacing).
    rules = re.findall(r"(?m)^:root\s*\{([^}]*)\}", CSS)
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", rules[1]))


def dark() -> dict[str, str]:
    return block(r"@media \(prefers-color-scheme: dark\)\s*\{\s*:root")


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("fg", "bg", "needed"), PAIRS)
def test_token_pairs_meet_wcag_aa(scheme, fg, bg, needed):
    palette = light() if scheme == "light" else dark()
    ratio = contrast(palette[fg], palette[bg])
    assert ratio >= needed, f"{scheme}: --{fg} on --{bg} is {ratio:.2f}:1, needs {needed}:1"


def test_every_scheme_defines_every_agreed_token():
    agreed = {"bg", "fg", "muted", "accent", "accent-fg", "card", "line", "danger", "focus"}
    agreed |= {"surface", "success", "warning-bg"}
    assert agreed <= set(light())
    assert set(light()) == set(dark())


def test_forced_schemes_match_the_readers_schemes():
    """The pattern page's .scheme-light / .scheme-dark panels show the real palettes."""
    assert block(r"\.scheme-light") == light()
    assert block(r"\.scheme-dark") == dark()


def test_layout_tokens_are_defined():
    names = set(re.findall(r"(?m)^\s*--([a-z0-9-]+):", CSS))
    expected = {"font-serif", "font-sans", "radius", "radius-pill", "measure"}
    expected |= {f"step-{n}" for n in ("-1", "0", "1", "2", "3", "4")}
    expected |= {f"space-{n}" for n in range(1, 7)}
    assert expected <= names


def test_stylesheet_uses_logical_properties_so_rtl_mirrors():
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)\b|(?<![-\w])(?:left|right)\s*:"
        r"|text-align:\s*(?:left|right)|float:\s*(?:left|right)",
        CSS,
    )
    assert physical == []


def test_focus_is_always_visible():
    assert re.search(r":focus-visible\s*\{[^}]*outline:\s*3px solid var\(--focus\)", CSS)
