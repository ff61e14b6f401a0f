import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from articles.models import Article, Source, Tag

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
FIXTURES = Path(__file__).resolve().parents[1] / "seed_fixtures"
SEED_NAME = "000_bdaed668570d60b1.txt"

pytestmark = pytest.mark.django_db


def load(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_seeds", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def folder(tmp_path):
    shutil.copy(SEEDS / SEED_NAME, tmp_path / SEED_NAME)
    return tmp_path


def test_default_folder_loads_the_seed_articles():
    out, _ = load()
    assert "2 created" in out
    article = Article.objects.published().get(seed_file=SEED_NAME)
    assert article.title.startswith("The Japanese government will reportedly stop buying")
    assert (
        article.slug == "the-japanese-government-will-reportedly-stop-buying-huawei-and-zte-devices"
    )
    assert article.seed_file == SEED_NAME
    assert [t.name for t in article.tags.all()] == ["Business", "Security", "Tech"]
    assert [s.name for s in article.sources.all()] == ["Reuters"]
    assert article.body_html.count("<p>") == 6
    illustrated = Article.objects.published().get(seed_file="001_harbour-at-dusk.md")
    assert illustrated.lead_image.name.startswith("lead-images/")
    assert (illustrated.lead_image_width, illustrated.lead_image_height) == (1600, 900)
    assert illustrated.lead_image_alt.startswith("An illustration of a harbour at dusk")


def test_second_run_changes_nothing_and_keeps_the_date(folder):
    load(str(folder))
    first = Article.objects.get()
    out, _ = load(str(folder))
    assert "0 created, 0 updated, 1 unchanged" in out
    again = Article.objects.get()
    assert again.published_at == first.published_at
    assert again.updated_at == first.updated_at
    assert Tag.objects.count() == 3
    assert Source.objects.count() == 1


def test_dry_run_writes_nothing(folder):
    out, _ = load(str(folder), "--dry-run")
    assert "Dry run" in out
    assert "1 created" in out
    assert not Article.objects.exists()
    assert not Tag.objects.exists()


def test_changed_seed_updates_without_re_dating(folder):
    load(str(folder))
    published_at = Article.objects.get().published_at
    seed = folder / SEED_NAME
    seed.write_text(seed.read_text().replace("Business / Security / Tech", "Business / Asia"))
    out, _ = load(str(folder))
    assert "1 updated" in out
    article = Article.objects.get()
    assert [t.name for t in article.tags.all()] == ["Asia", "Business"]
    assert article.published_at == published_at


def test_editor_changes_are_kept_unless_forced(folder):
    load(str(folder))
    article = Article.objects.get()
    article.summary = "An editor's better standfirst."
    article.save()
    seed = folder / SEED_NAME
    seed.write_text(seed.read_text().replace("Source: Reuters", "Source: Reuters, Kyodo"))

    out, _ = load(str(folder))
    assert "1 skipped" in out
    assert "--force" in out
    assert Article.objects.get().summary == "An editor's better standfirst."

    out, _ = load(str(folder), "--force")
    assert "1 updated" in out
    article = Article.objects.get()
    assert article.summary.startswith("The U.S. believes")
    assert sorted(s.name for s in article.sources.all()) == ["Kyodo", "Reuters"]


def test_bad_files_are_reported_and_the_others_still_load(folder):
    for bad in ("empty.txt", "binary.txt", "latin1.txt", "bad_yaml.md"):
        shutil.copy(FIXTURES / bad, folder / bad)
    shutil.copy(FIXTURES / "front_matter.md", folder / "front_matter.md")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="4 seed file"):
        call_command("load_seeds", str(folder), stdout=out, stderr=err)
    assert "2 created" in out.getvalue()
    assert "4 failed" in out.getvalue()
    errors = err.getvalue().splitlines()
    assert "empty.txt: file is empty" in errors
    assert any(line.startswith("binary.txt:3: binary file") for line in errors)
    assert any(line.startswith("latin1.txt:3: not valid UTF-8") for line in errors)
    assert any(line.startswith("bad_yaml.md:3: front matter") for line in errors)
    assert Article.objects.filter(slug="editors-guide").exists()


def test_missing_path_fails_with_its_name(tmp_path):
    with pytest.raises(CommandError):
        load(str(tmp_path / "nope.txt"))


def test_exit_status_is_non_zero_from_the_shell(tmp_path):
    """manage.py turns CommandError into exit status 1 (the file fails before any query)."""
    (tmp_path / "empty.txt").write_text("")
    result = subprocess.run(
        [sys.executable, "manage.py", "load_seeds", "--dry-run", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert result.returncode == 1
    assert "empty.txt: file is empty" in result.stderr


def test_verbose_lists_every_file_and_what_was_dropped(folder):
    out, _ = load(str(folder), "-v", "2")
    assert f"created  {SEED_NAME}" in out
    assert "left out line 4: stray headline 'ZTE ZMAX 2 Review'" in out
    assert "left out line 20: call to action" in out


def test_same_title_gets_a_numbered_slug(tmp_path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("Same headline\n\nA standfirst.\n\nA body.\n")
    load(str(tmp_path))
    assert sorted(Article.objects.values_list("slug", flat=True)) == [
        "same-headline",
        "same-headline-2",
        "same-headline-3",
    ]
