"""Search tolerates a typo: "Huawai" finds Huawei. Trigram similarity picks the candidates on
PostgreSQL (run with DATABASE_URL=postgres://…), the newest titles and tag names on SQLite."""

import pytest
from django.db import connection

from discovery.search import corrected_terms
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


@pytest.fixture
def stories(db):
    return [
        ArticleFactory(title="Japan to stop buying Huawei and ZTE devices", body="Procurement."),
        ArticleFactory(title="Storm closes the harbour", body="Ports shut for a day."),
    ]


def test_a_typo_finds_the_word_it_meant(client, stories):
    html = client.get(SEARCH, {"q": "Huawai"}).content.decode()
    assert "Nothing matched “Huawai”. Showing 1 result for “huawei”." in html
    assert "<mark>Huawei</mark>" in html
    assert stories[0].get_absolute_url() in html
    assert stories[1].get_absolute_url() not in html


def test_only_the_misspelt_word_changes(stories):
    assert corrected_terms(["Huawai", "devices"]) == ["huawei", "devices"]
    assert corrected_terms(["harbuor"]) == ["harbour"]


def test_tag_names_count_as_words(db):
    ArticleFactory(title="Quarterly results", tags=[TagFactory(name="Semiconductors")])
    assert corrected_terms(["semiconductr"]) == ["semiconductors"]


def test_no_correction_for_real_words_short_words_or_nonsense(client, stories):
    assert corrected_terms(["harbour"]) is None  # a word the site has: no "did you mean"
    assert corrected_terms(["zte"]) is None
    assert corrected_terms(["zzzzqqqq"]) is None
    html = client.get(SEARCH, {"q": "zzzzqqqq"}).content.decode()
    assert "0 results for “zzzzqqqq”." in html
    assert "Nothing matched" not in html


def test_an_exact_search_is_not_corrected(client, stories):
    html = client.get(SEARCH, {"q": "Huawei"}).content.decode()
    assert "1 result for “Huawei”." in html
    assert "Nothing matched" not in html


def test_drafts_lend_no_words(client, db):
    ArticleFactory(title="Secret Huawei draft", status="draft")
    assert corrected_terms(["Huawai"]) is None


def test_the_database_in_use(stories):
    """Reported so a run shows which candidate query was exercised."""
    assert connection.vendor in {"sqlite", "postgresql"}
