"""Languages by URL prefix: English at /…, Japanese at /ja/…, Arabic (right to left) at /ar/…"""

import datetime
import json
import re
import types

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import Client
from django.utils import formats, timezone, translation

from articles.models import Article
from articles.seeds import SeedError, parse_seed
from articles.services import article_import
from discovery.meta import json_ld
from newsite.context_processors import path_without_language
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

HTML_TAG = re.compile(r"<html lang=\"(?P<lang>[^\"]+)\" dir=\"(?P<dir>[^\"]+)\">")


def h1(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)[1].strip()


def html_tag(response) -> dict[str, str]:
    return HTML_TAG.search(response.content.decode()).groupdict()


@pytest.mark.parametrize(
    ("prefix", "lang", "direction", "heading"),
    [
        ("", "en-gb", "ltr", "Accessibility statement"),
        ("/ja", "ja", "ltr", "アクセシビリティ方針"),
        ("/ar", "ar", "rtl", "بيان إمكانية الوصول"),
    ],
)
def test_a_page_speaks_the_language_of_its_prefix(client, prefix, lang, direction, heading):
    response = client.get(f"{prefix}/accessibility/")
    assert response.status_code == 200
    assert html_tag(response) == {"lang": lang, "dir": direction}
    assert response["Content-Language"] == lang
    assert h1(response) == heading
    # The language comes from the URL alone: no Vary on Accept-Language for caches to split on.
    assert "Accept-Language" not in response.get("Vary", "")


def test_the_browser_language_does_not_change_an_unprefixed_page(client):
    response = client.get("/accessibility/", HTTP_ACCEPT_LANGUAGE="ar,ja;q=0.8")
    assert html_tag(response)["lang"] == "en-gb"
    assert h1(response) == "Accessibility statement"


def test_unknown_and_default_language_prefixes_are_not_found(client):
    assert client.get("/fr/accessibility/").status_code == 404
    assert client.get("/en-gb/accessibility/").status_code == 404


def test_staff_and_machine_addresses_stay_unprefixed(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/ja/healthz").status_code == 404
    assert client.get("/ja/admin/").status_code == 404


def test_links_inside_a_translated_page_keep_its_language(client):
    html = client.get("/ar/accessibility/").content.decode()
    assert 'action="/ar/search/"' in html  # the header's search form
    assert 'href="/ar/accounts/login/' in html
    assert 'href="/ar/notices/' in html


@pytest.mark.parametrize("prefix", ["", "/ja", "/ar"])
def test_the_switcher_links_this_page_in_every_language(client, prefix):
    article = ArticleFactory()
    path = article.get_absolute_url()
    html = client.get(prefix + path).content.decode()
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S)[0]
    links = dict(re.findall(r'<a href="([^"]+)" lang="([^"]+)"', switcher))
    assert links == {path: "en-gb", f"/ja{path}": "ja", f"/ar{path}": "ar"}
    current = re.findall(r'lang="([^"]+)"[^>]*aria-current="page"', switcher)
    assert current == [{"": "en-gb", "/ja": "ja", "/ar": "ar"}[prefix]]
    # Each name is marked in its own language and direction, for screen readers.
    assert 'lang="ar" hreflang="ar" dir="rtl"' in switcher


def test_the_switcher_works_on_a_missing_page(client):
    html = client.get("/ja/no-such-page/").content.decode()
    assert 'href="/no-such-page/" lang="en-gb"' in html
    assert 'href="/ar/no-such-page/" lang="ar"' in html


def test_path_without_language():
    assert path_without_language("/ja/articles/x/") == "/articles/x/"
    assert path_without_language("/ar/") == "/"
    assert path_without_language("/articles/japan/") == "/articles/japan/"
    assert path_without_language("/jazz/") == "/jazz/"


def test_the_page_cache_keeps_languages_apart(client):
    article = ArticleFactory()
    path = article.get_absolute_url()
    english = client.get(path)
    japanese = client.get(f"/ja{path}")
    arabic = client.get(f"/ar{path}")
    assert [r["X-Page-Cache"] for r in (english, japanese, arabic)] == ["miss"] * 3
    again = {p: client.get(p) for p in (path, f"/ja{path}", f"/ar{path}")}
    assert [r["X-Page-Cache"] for r in again.values()] == ["hit"] * 3
    assert html_tag(again[path])["lang"] == "en-gb"
    assert html_tag(again[f"/ja{path}"])["lang"] == "ja"
    assert html_tag(again[f"/ar{path}"]) == {"lang": "ar", "dir": "rtl"}
    assert again[f"/ar{path}"]["Content-Language"] == "ar"
    # After the Arabic page, the English one is still English (the fragments are per language).
    assert 'lang="en-gb" dir="ltr"' in Client().get(path).content.decode()


def test_fragments_are_kept_per_language():
    """`{% cache %}` fragments (the article body, the share block) hold translated text: one
    kept in Japanese is never served in English."""
    fragment = Template(
        '{% load cache i18n %}{% cache 60 probe using="fragments" %}'
        '{% translate "Search" %}{% endcache %}'
    )
    with translation.override("ja"):
        assert fragment.render(Context()) == "検索"
    with translation.override("en-gb"):
        assert fragment.render(Context()) == "Search"
    with translation.override("ar"):
        assert fragment.render(Context()) == "بحث"


def test_the_javascript_catalogue_is_translated_and_kept(client):
    english = client.get("/jsi18n/")
    arabic = client.get("/ar/jsi18n/")
    assert english.status_code == arabic.status_code == 200
    assert english["Content-Type"].startswith("text/javascript")
    # The catalogue is JSON with non-ASCII escaped.
    assert json.dumps("نُسخ الرابط.")[1:-1] in arabic.content.decode()
    assert "Link copied." not in english.content.decode().split("catalog", 1)[0]
    assert client.get("/ar/jsi18n/")["X-Page-Cache"] == "hit"


def test_pages_with_scripts_load_the_catalogue_of_their_language(client):
    article = ArticleFactory()
    html = client.get(f"/ja{article.get_absolute_url()}").content.decode()
    assert '<script src="/ja/jsi18n/" defer></script>' in html


def test_an_article_marks_its_own_language_inside_another_interface(client):
    english = ArticleFactory(title="Harbour reopens")
    arabic = ArticleFactory(title="الميناء يعيد فتح أبوابه", language="ar")
    html = client.get(f"/ar{english.get_absolute_url()}").content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<article class="article" lang="en" dir="ltr">' in html
    html = client.get(arabic.get_absolute_url()).content.decode()
    assert '<html lang="en-gb" dir="ltr">' in html
    assert '<article class="article" lang="ar" dir="rtl">' in html


def test_json_ld_names_the_article_language():
    article = ArticleFactory(language="ja")
    assert json_ld(article, comments=[])["inLanguage"] == "ja"


def test_seeds_may_name_their_language():
    text = "---\ntitle: 港が再開\nlanguage: ja\n---\n本文。\n"
    assert parse_seed(text, name="a.md").language == "ja"
    assert parse_seed("---\ntitle: T\n---\nBody.\n", name="b.md").language == "en"
    with pytest.raises(SeedError, match="language 'fr' is not one of the site's languages"):
        parse_seed("---\ntitle: T\nlanguage: fr\n---\nBody.\n", name="c.md")


def test_a_seed_file_sets_the_article_language():
    parsed = parse_seed("---\ntitle: الميناء\nlanguage: ar\n---\nنص.\n", name="ar.md")
    _, article = article_import(parsed=parsed)
    assert article.language == "ar"
    assert article.text_direction == "rtl"
    # Changing only the language in the file is a change the next import applies.
    parsed = parse_seed("---\ntitle: الميناء\nlanguage: en\n---\nنص.\n", name="ar.md")
    outcome, article = article_import(parsed=parsed)
    assert outcome.name == "UPDATED"
    assert Article.objects.get(pk=article.pk).language == "en"


def test_dates_are_written_the_way_each_language_writes_them(client):
    english = client.get("/moderation/").content.decode()
    japanese = client.get("/ja/moderation/").content.decode()
    arabic = client.get("/ar/moderation/").content.decode()
    month = timezone.localdate().replace(day=1)
    assert f'<th scope="row">{month:%B %Y}</th>' in english
    assert f'<th scope="row">{month.year}年{month.month}月</th>' in japanese
    with translation.override("ar"):
        arabic_month = formats.date_format(month, "F")
    assert f'<th scope="row">{arabic_month} {month.year}</th>' in arabic
    assert arabic_month != f"{month:%B}"


def test_english_dates_keep_their_format_and_name_the_zone():
    moment = timezone.make_aware(datetime.datetime(2026, 12, 5, 21, 36))
    with translation.override("en-gb"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "5 December 2026, 21:36 UTC"
    with translation.override("ja"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "2026年12月5日21:36"
    with translation.override("ar"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "5 ديسمبر 2026، 21:36"


def test_forms_and_their_errors_are_translated(client):
    client.force_login(UserFactory())
    html = client.post("/ja/accounts/profile/", {"display_name": ""}).content.decode()
    assert "表示名" in html  # our label
    assert "このフィールドは必須です。" in html  # Django's own catalogue


def test_notice_mails_are_translated():
    notice = types.SimpleNamespace(reference="N-7")
    context = {"notice": notice, "site_name": "newsite"}
    with translation.override("ar"):
        subject = render_to_string("notices/email/receipt_subject.txt", context)
    assert subject.strip() == "[newsite] تم استلام الإشعار: N-7"
    with translation.override("ja"):
        subject = render_to_string("notices/email/receipt_subject.txt", context)
    assert subject.strip() == "[newsite] 申告を受け付けました\uff1aN-7"  # a full-width colon
