from pathlib import Path

import pytest

from articles.seeds import SeedError, parse_seed, read_seed_file

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FIXTURES = Path(__file__).resolve().parents[1] / "seed_fixtures"
REAL_SEED = SEEDS / "000_bdaed668570d60b1.txt"


@pytest.fixture(scope="module")
def real():
    return read_seed_file(REAL_SEED)


def test_real_seed_title_tags_and_source(real):
    assert (
        real.title == "The Japanese government will reportedly stop buying Huawei and ZTE devices"
    )
    assert real.tags == ("Business", "Security", "Tech")
    assert real.sources == ("Reuters",)
    assert real.has_call_to_action


def test_real_seed_standfirst_and_body_order(real):
    assert real.summary == (
        "The U.S. believes the companies are being used by the Chinese government for "
        "intelligence gathering on governments and non-Chinese citizens."
    )
    paragraphs = real.paragraphs
    assert len(paragraphs) == 6
    assert paragraphs[0].startswith("The Japanese government has decided to stop purchasing")
    assert paragraphs[0].endswith("non-Chinese citizens.")
    assert paragraphs[-1].startswith("Neither company has made comment")
    assert paragraphs[-1].endswith("They seemed to have pulled themselves out for the time being.")
    assert "\u201cCybersecurity is becoming an important issue in Japan,\u201d" in paragraphs[4]


def test_real_seed_body_has_no_chrome_headline_or_call_to_action(real):
    body = real.body
    for unwanted in ("ZTE ZMAX 2 Review", "Let us know", "Google+", "Source:", "To Top"):
        assert unwanted not in body
    assert "\n\nComments" not in body
    assert any("ZTE ZMAX 2 Review" in line for line in real.dropped)


def test_crlf_and_bom_parse_like_the_original(real):
    variant = read_seed_file(FIXTURES / "crlf_bom.txt")
    assert variant.title == real.title
    assert variant.body == real.body
    assert variant.digest == real.digest


def test_missing_category_line_and_several_sources():
    parsed = read_seed_file(FIXTURES / "no_category.txt")
    assert parsed.tags == ()
    assert parsed.sources == ("Reuters", "Yomiuri", "Kyodo", "AP", "AFP")
    assert parsed.summary == "The standfirst sits here and says what happened."
    assert parsed.paragraphs == [
        "First body paragraph with the facts.",
        "Second body paragraph, the end of the story.",
    ]
    assert not parsed.has_call_to_action


def test_trailing_spaces_nbsp_and_markup_in_plain_text_is_escaped():
    parsed = read_seed_file(FIXTURES / "trailing_spaces.txt")
    assert parsed.title == "Title with trailing spaces"
    assert parsed.tags == ("World", "Politics")
    assert parsed.sources == ("BBC",)
    assert parsed.summary == "Standfirst line."
    # Plain text stays plain: Markdown and HTML characters are escaped, not interpreted.
    assert parsed.paragraphs == [r"Only body paragraph with \*stars\* and \<b\>tags\</b\>."]


def test_curly_quotes_call_to_action_and_single_category():
    parsed = read_seed_file(FIXTURES / "curly_cta.txt")
    assert parsed.title == "Curly \u201cquotes\u201d in the title"
    assert parsed.tags == ("Tech",)
    assert parsed.has_call_to_action
    assert parsed.paragraphs == ["Body one."]
    assert parsed.sources == ("The Verge",)


def test_wrapped_lines_join_into_one_paragraph():
    parsed = read_seed_file(FIXTURES / "wrapped_paragraph.txt")
    assert parsed.summary == "First standfirst line continues here."
    assert parsed.paragraphs == ["A body paragraph that was wrapped across three lines."]


def test_single_paragraph_becomes_the_body_not_a_standfirst():
    parsed = parse_seed("Headline\n\nThe only paragraph.\n", name="one.txt")
    assert parsed.summary == ""
    assert parsed.paragraphs == ["The only paragraph."]


def test_markdown_front_matter():
    parsed = read_seed_file(FIXTURES / "front_matter.md")
    assert parsed.title == "Editors' guide: writing a seed by hand"
    assert parsed.tags == ("Guides", "Newsroom")
    assert parsed.sources == ("Newsite staff", "Reuters")
    assert parsed.summary == "How to add an article without a scraper."
    assert parsed.slug == "editors-guide"
    assert parsed.published_at.isoformat() == "2024-03-05T10:30:00+00:00"
    assert parsed.body == "Write **Markdown** here.\n\n- one\n- two"


@pytest.mark.parametrize(
    ("fixture", "message", "line"),
    [
        ("empty.txt", "file is empty", None),
        ("binary.txt", "binary file", 3),
        ("latin1.txt", "not valid UTF-8", 3),
        ("no_body.txt", "no body text after the title", 1),
        ("bad_yaml.md", "front matter", 3),
        ("unclosed_front_matter.md", "never closed", 1),
        ("no_title.md", "no title", 2),
    ],
)
def test_bad_seeds_name_the_file_and_line(fixture, message, line):
    with pytest.raises(SeedError) as caught:
        read_seed_file(FIXTURES / fixture)
    error = caught.value
    assert error.name == fixture
    assert message in error.message
    assert error.line == line
    assert str(error).startswith(f"{fixture}:{line}: " if line else f"{fixture}: ")


def test_unreadable_file_is_a_seed_error(tmp_path):
    with pytest.raises(SeedError, match="cannot read file"):
        read_seed_file(tmp_path / "missing.txt")


def test_control_characters_are_refused_with_their_line():
    with pytest.raises(SeedError) as caught:
        parse_seed("Title\n\nBody\x07 bell\n", name="bell.txt")
    assert caught.value.line == 3
