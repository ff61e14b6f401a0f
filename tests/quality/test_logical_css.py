"""Our stylesheets use logical properties (margin-inline-start, inset-inline-end, text-align:
start…), so the Arabic (right-to-left) pages mirror the layout. A physical left/right property
fails here with its file and line; use the logical one instead."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"

PHYSICAL = [
    (
        re.compile(r"\b(margin|padding|border|scroll-margin|scroll-padding)-(left|right)\b"),
        "{0}-inline-start/end",
    ),
    (
        re.compile(r"\bborder-(top|bottom)-(left|right)-radius\b"),
        "border-start-start-radius and friends",
    ),
    (re.compile(r"(?<![\w-])(left|right)\s*:"), "inset-inline-start / inset-inline-end"),
    (
        re.compile(r"\b(text-align|float|clear)\s*:\s*(left|right)\b"),
        "start / end (inline-start / inline-end)",
    ),
]
# margin: 0 1rem 0 2rem sets right and left apart: write margin-block / margin-inline.
VALUE = r"([^\s;{}]+)"
UNEVEN_SHORTHAND = re.compile(
    rf"(?<![\w-])(margin|padding)\s*:\s*{VALUE}\s+{VALUE}\s+{VALUE}\s+{VALUE}\s*[;}}]"
)


def physical_properties(css: str) -> list[tuple[int, str]]:
    css = re.sub(r"/\*.*?\*/", lambda m: "\n" * m[0].count("\n"), css, flags=re.S)
    found = []
    for number, line in enumerate(css.splitlines(), start=1):
        for pattern, instead in PHYSICAL:
            for match in pattern.finditer(line):
                found.append((number, f"{match[0]!r}: use {instead}"))
        # "var(--space-4, 1rem)" is one value: its fallback's space does not start another.
        for match in UNEVEN_SHORTHAND.finditer(re.sub(r",\s+", ",", line)):
            if match[3] != match[5]:
                found.append((number, f"{match[0]!r}: use {match[1]}-block and {match[1]}-inline"))
    return found


def test_the_checker_finds_physical_properties():
    css = """
    .a { margin-left: 1rem; padding-right: 0; border-left: 1px solid; }
    .b { position: absolute; left: 0; right: 2px; text-align: right; float: left; }
    .c { padding: 0 1rem 0 2rem; margin: 0 1rem 0 1rem; border-top-left-radius: 2px; }
    /* left: 0 in a comment is fine */
    .d { margin-inline-start: 1rem; inset-inline-end: 0; text-align: start; }
    """
    lines = [number for number, _ in physical_properties(css)]
    assert lines == [2, 2, 2, 3, 3, 3, 3, 4, 4]


def test_our_stylesheets_use_logical_properties():
    problems = [
        f"{path.relative_to(STATIC)}:{number}: {problem}"
        for path in sorted(STATIC.rglob("*.css"))
        for number, problem in physical_properties(path.read_text())
    ]
    assert problems == []
