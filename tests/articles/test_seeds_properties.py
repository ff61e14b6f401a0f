"""Arbitrary text never crashes the parser: it parses, or it raises SeedError naming the file."""

from hypothesis import given, settings
from hypothesis import strategies as st

from articles.seeds import ParsedArticle, SeedError, parse_seed

SEED_LIKE_LINES = [
    "",
    "Business / Tech",
    "Source: Reuters, AP",
    "Source:",
    "Comments",
    "To Top",
    "---",
    "title: x",
    "Let us know in the comments below.",
    "\u00a0",
    "\ufeff",
    "\r",
]
lines = st.lists(st.one_of(st.text(max_size=80), st.sampled_from(SEED_LIKE_LINES)), max_size=25)
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1, max_size=12)
prose = st.lists(words, min_size=3, max_size=30).map(lambda ws: " ".join(ws) + ".")


@settings(max_examples=300, deadline=None)
@given(lines)
def test_any_text_parses_or_fails_clearly(seed_lines):
    text = "\n".join(seed_lines)
    try:
        parsed = parse_seed(text, name="fuzz.txt")
    except SeedError as error:
        assert str(error).startswith("fuzz.txt")
        assert error.message
        return
    assert isinstance(parsed, ParsedArticle)
    assert parsed.title.strip()
    assert parsed.body.strip()


@settings(max_examples=200, deadline=None)
@given(st.lists(prose, min_size=1, max_size=8))
def test_prose_paragraphs_are_never_lost_or_reordered(paragraphs):
    text = "A title\n\nNews / World\n\n" + "\n\n".join(paragraphs) + "\n\nSource: AP\nTo Top\n"
    parsed = parse_seed(text, name="prose.txt")
    kept = [parsed.summary, *parsed.paragraphs] if parsed.summary else parsed.paragraphs
    assert kept == paragraphs
    assert parsed.tags == ("News", "World")
    assert parsed.sources == ("AP",)
