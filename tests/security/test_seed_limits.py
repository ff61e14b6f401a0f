"""Finding 2: a seed file (uploaded in the admin or loaded by `load_seeds`) cannot exhaust a
worker: no YAML aliases, the models' own length rules, a cap on tags and sources, and the
size limit checked before a file is read."""

import tracemalloc
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from articles.models import Article, Source, Tag
from articles.seeds import MAX_SEED_BYTES, MAX_TAGS, SeedError, parse_seed, read_seed_file
from articles.services import Outcome, import_seed_uploads

GOOD = "---\ntitle: A fine article\ntags: [Tech]\n---\nThe body.\n"

# Anchors and aliases inside the title: "lol" ten thousand times from about 200 bytes (the
# reported one went from 367 bytes to a 65.9-million-character title with more levels).
ALIAS_BOMB = """---
title: [&a [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol],
  &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b],
  [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]]
---
Body.
"""


def load(*paths) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("load_seeds", *map(str, paths), stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"\nCommandError: {exc}")
    return out.getvalue(), err.getvalue()


def test_yaml_aliases_are_refused():
    """Finding 2: an alias bomb in the front matter is refused before it expands."""
    with pytest.raises(SeedError) as raised:
        parse_seed(ALIAS_BOMB, name="bomb.md")
    assert raised.value.name == "bomb.md"
    assert raised.value.line == 2  # the first anchor
    assert "anchors and aliases" in raised.value.message

    # A lone anchor or a lone alias is refused too (merge keys need them, nothing else does).
    with pytest.raises(SeedError, match="anchors and aliases"):
        parse_seed("---\ntitle: &t Fine\n---\nBody.\n", name="anchor.md")
    with pytest.raises(SeedError, match="anchors and aliases"):
        parse_seed("---\ntitle: *t\n---\nBody.\n", name="alias.md")


@pytest.mark.django_db
def test_yaml_alias_bomb_fails_alone_in_load_seeds(tmp_path):
    """Finding 2: the bad file is named with its line; the other files still load."""
    (tmp_path / "bomb.md").write_text(ALIAS_BOMB)
    (tmp_path / "good.md").write_text(GOOD)
    out, err = load(tmp_path)
    assert "bomb.md:2: front matter: anchors and aliases (& and *) are not allowed" in err
    assert "1 created" in out
    assert "1 failed" in out
    assert list(Article.objects.values_list("title", flat=True)) == ["A fine article"]


def test_tag_and_source_names_longer_than_the_model_allows_are_refused():
    """Finding 2: tag and source names keep to the models' max_length (SQLite would not)."""
    tag_limit = Tag._meta.get_field("name").max_length
    source_limit = Source._meta.get_field("name").max_length

    fine = parse_seed(
        f"---\ntitle: T\ntags: [{'t' * tag_limit}]\nsources: [{'s' * source_limit}]\n---\nB.\n",
        name="fine.md",
    )
    assert fine.tags == ("t" * tag_limit,)
    assert fine.sources == ("s" * source_limit,)

    with pytest.raises(SeedError) as raised:
        parse_seed(f"---\ntitle: T\nsummary: S\ntags: [{'t' * 5000}]\n---\nB.\n", name="tag.md")
    assert (raised.value.name, raised.value.line) == ("tag.md", 4)
    assert f"5,000 characters; the limit is {tag_limit}" in raised.value.message

    with pytest.raises(SeedError) as raised:
        parse_seed(f"---\ntitle: T\nsources: {'s' * (source_limit + 1)}\n---\nB.\n", name="s.md")
    assert raised.value.line == 3
    assert f"the limit is {source_limit}" in raised.value.message

    # Scraped text: a "Source:" line, named by its line number.
    scraped = f"Title\n\nA paragraph of prose.\n\nSource: Reuters, {'x' * 5000}\n"
    with pytest.raises(SeedError) as raised:
        parse_seed(scraped, name="scraped.txt")
    assert (raised.value.name, raised.value.line) == ("scraped.txt", 5)
    assert "5,000 characters" in raised.value.message

    title_limit = Article._meta.get_field("title").max_length
    with pytest.raises(SeedError, match=f"the limit is {title_limit}"):
        parse_seed(f"---\ntitle: {'T' * (title_limit + 1)}\n---\nB.\n", name="title.md")


def test_number_of_tags_and_sources_is_capped():
    """Finding 2: at most MAX_TAGS tags and MAX_SOURCES sources per article."""
    at_cap = ", ".join(f"tag{n}" for n in range(MAX_TAGS))
    assert len(parse_seed(f"---\ntitle: T\ntags: [{at_cap}]\n---\nB.\n", name="ok.md").tags) == (
        MAX_TAGS
    )

    many = ", ".join(f"tag{n}" for n in range(10_000))
    with pytest.raises(SeedError) as raised:
        parse_seed(f"---\ntitle: T\ntags: [{many}]\n---\nB.\n", name="many.md")
    assert raised.value.line == 3
    assert f"more than {MAX_TAGS} tags" in raised.value.message

    # Scraped text: a category line of a thousand parts.
    category = " / ".join(f"Topic{n}" for n in range(1000))
    with pytest.raises(SeedError, match=f"more than {MAX_TAGS} tags") as raised:
        parse_seed(f"Title\n{category}\n\nA paragraph of prose.\n", name="c.txt")
    assert raised.value.line == 2

    sources = "\n".join(f"Source: Agency {n}" for n in range(100))
    with pytest.raises(SeedError, match="more than 20 sources"):
        parse_seed(f"Title\n\nA paragraph of prose.\n\n{sources}\n", name="s.txt")


@pytest.mark.django_db
def test_long_names_never_reach_the_database(tmp_path):
    """Finding 2: nothing of a refused file is stored, and the rest of the folder loads."""
    (tmp_path / "a_long_tag.md").write_text(f"---\ntitle: Long\ntags: [{'t' * 5000}]\n---\nB.\n")
    (tmp_path / "b_good.md").write_text(GOOD)
    out, err = load(tmp_path)
    assert "a_long_tag.md:3: tag 'tttt" in err
    assert "1 created" in out
    assert list(Tag.objects.values_list("name", flat=True)) == ["Tech"]
    assert Article.objects.get().title == "A fine article"


def test_load_seeds_reads_no_more_than_the_limit_of_a_huge_file(tmp_path):
    """Finding 2: a 30 MB file is refused without being read into memory whole."""
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as file:
        file.truncate(30_000_000)  # sparse: no disk space used
    tracemalloc.start()
    try:
        with pytest.raises(SeedError, match="larger than 2,000,000 bytes"):
            read_seed_file(huge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_SEED_BYTES, f"peak {peak:,} bytes while refusing a 30 MB file"


class Unreadable(UploadedFile):
    """An upload that says it is 30 MB and fails the test if anything reads it."""

    def __init__(self, name: str) -> None:
        super().__init__(file=None, name=name, size=30_000_000)

    def read(self, *args):
        raise AssertionError("the upload was read before its size was checked")

    def chunks(self, chunk_size=None):
        raise AssertionError("the upload was read before its size was checked")

    def __iter__(self):
        raise AssertionError("the upload was read before its size was checked")

    def open(self, mode=None):
        raise AssertionError("the upload was opened before its size was checked")


@pytest.mark.django_db
def test_oversized_upload_is_refused_by_its_size_before_reading():
    """Finding 2: UploadedFile.size is checked first; the other uploads still import."""
    good = SimpleUploadedFile("good.md", GOOD.encode(), content_type="text/markdown")
    report = import_seed_uploads([Unreadable("huge.txt"), good])
    assert report.outcomes[Outcome.FAILED] == ["huge.txt"]
    assert report.outcomes[Outcome.CREATED] == ["good.md"]
    assert [str(e) for e in report.errors] == ["huge.txt: file is larger than 2,000,000 bytes"]


@pytest.mark.django_db
def test_admin_upload_names_each_bad_file_and_loads_the_rest(editor_client):
    """Finding 2: through the admin's upload screen, each bad file named, the others loaded."""
    url = reverse("admin:articles_article_import")
    files = [
        SimpleUploadedFile("big.txt", b"x" * (MAX_SEED_BYTES + 1)),
        SimpleUploadedFile("bomb.md", ALIAS_BOMB.encode()),
        SimpleUploadedFile("tag.md", f"---\ntitle: T\ntags: [{'t' * 5000}]\n---\nB.\n".encode()),
        SimpleUploadedFile("good.md", GOOD.encode()),
    ]
    html = editor_client.post(url, {"files": files}).content.decode()
    assert "1 created" in html
    assert "3 failed" in html
    assert "<strong>big.txt</strong>: file is larger than 2,000,000 bytes" in html
    assert "<strong>bomb.md, line 2</strong>: front matter: anchors and aliases" in html
    assert "<strong>tag.md, line 3</strong>: tag" in html
    assert list(Article.objects.values_list("title", flat=True)) == ["A fine article"]
    assert list(Tag.objects.values_list("name", flat=True)) == ["Tech"]


@pytest.mark.django_db
def test_import_service_full_cleans_new_tags_and_sources():
    """Finding 2: the import service holds to the models' rules whoever built the article."""
    from django.core.exceptions import ValidationError

    from articles.seeds import ParsedArticle
    from articles.services import article_import

    limit = Tag._meta.get_field("name").max_length
    parsed = ParsedArticle(name="direct.md", title="T", body="B.", tags=("t" * (limit + 1),))
    with pytest.raises(ValidationError) as raised:
        article_import(parsed=parsed)
    assert "name" in raised.value.message_dict
    assert not Tag.objects.exists()
