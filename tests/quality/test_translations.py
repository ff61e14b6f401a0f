"""Every user-facing string is marked for translation, and Japanese and Arabic translate all of it.

When one fails: mark the string ({% translate %}, gettext), run `make messages`, translate the new
entries in locale/*/LC_MESSAGES/*.po (see locale/GLOSSARY.md), and run `make messages` again to
compile them. README.md, Languages, has the whole workflow.
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
LANGUAGES = ["ja", "ar"]
DOMAINS = ["django", "djangojs"]
IGNORE = [".venv", ".tools", "node_modules", "staticfiles", "tests", "benchmarks", "media"]

# Text that reads the same in every language: names, symbols, formats.
UNTRANSLATED_TEXT = {"newsite", "JSON", "RSS", "Atom", "URL", "mastodon.social"}


def catalogues():
    return [
        LOCALE / lang / "LC_MESSAGES" / f"{domain}.po" for lang in LANGUAGES for domain in DOMAINS
    ]


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: f"{p.parts[-3]}-{p.stem}")
def test_catalogues_are_complete(path):
    po = polib.pofile(str(path))
    assert len(po) > 0
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: f"{p.parts[-3]}-{p.stem}")
def test_compiled_catalogues_match_their_sources(path):
    """The site reads the .mo files: they must say what the .po files say (`make messages`)."""
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"

    def entries(catalogue):
        return {
            (e.msgctxt, e.msgid): e.msgstr or tuple(sorted(e.msgstr_plural.items()))
            for e in catalogue
            if e.msgid and not e.obsolete and "fuzzy" not in e.flags
        }

    assert entries(polib.mofile(str(mo_path))) == entries(polib.pofile(str(path)))


def test_catalogues_hold_every_marked_string(tmp_path, settings, monkeypatch):
    """makemessages, run afresh into a scratch copy, finds nothing the committed catalogues lack
    (a string marked but never collected and translated) and nothing they keep in vain."""
    if shutil.which("xgettext") is None:
        pytest.fail("needs GNU gettext (Debian: apt-get install gettext): run `make messages`")
    # makemessages writes into the locale folder above each source file: run it on a copy, so
    # the committed catalogues are only compared, never changed.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(*IGNORE, ".git", "test-results", "*.mo", "*.sqlite3*"),
    )
    scratch = source / "locale"
    settings.LOCALE_PATHS = [scratch]
    monkeypatch.chdir(source)
    for domain in DOMAINS:
        call_command(
            "makemessages", locale=LANGUAGES, domain=domain, ignore_patterns=IGNORE,
            no_obsolete=True, verbosity=0,
        )  # fmt: skip
    for path in catalogues():
        fresh = polib.pofile(str(scratch / path.relative_to(LOCALE)))
        committed = polib.pofile(str(path))
        found = {(e.msgctxt, e.msgid) for e in fresh if not e.obsolete}
        kept = {(e.msgctxt, e.msgid) for e in committed if not e.obsolete}
        assert sorted(found - kept, key=str) == [], f"not in {path}: run `make messages`"
        assert sorted(kept - found, key=str) == [], f"no longer used, in {path}"


# --- text left unmarked in templates -----------------------------------------------------------

TAG = re.compile(r"<(script|style|code)\b.*?</\1>|<!--.*?-->|<[^>]*>", re.S)
# A hidden input's value is data for the server, never shown.
HIDDEN_INPUT = re.compile(r"<input\b[^>]*\btype=\"hidden\"[^>]*>")
TEXT_ATTRIBUTE = re.compile(r"\b(?:aria-label|placeholder|title|alt|value)=\"([^\"]*)\"")
ENTITY = re.compile(r"&[#\w]+;")
WORD = re.compile(r"[^\W\d_][\w\u2019'.-]*")


def unmarked_text(source: str) -> list[str]:
    """Words a template shows that no {% translate %} or {% blocktranslate %} covers."""
    parts = []
    depth = 0  # inside blocktranslate … endblocktranslate, or comment … endcomment
    in_class_block = False  # {% block main_class %}…: class names, not text
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name, *args = token.contents.split()
            if name in {"blocktranslate", "blocktrans", "comment"}:
                depth += 1
            elif name in {"endblocktranslate", "endblocktrans", "endcomment"}:
                depth -= 1
            elif name == "block":
                in_class_block = args[0].endswith("class")
            elif name == "endblock":
                in_class_block = False
        # Tags, variables and translated text stand in as a blank: what remains is literal.
        literal = token.token_type == TokenType.TEXT and not depth and not in_class_block
        parts.append(token.contents if literal else " ")
    page = "".join(parts)
    attributes = TEXT_ATTRIBUTE.findall(HIDDEN_INPUT.sub(" ", page))
    found = []
    for chunk in [TAG.sub(" ", page), *attributes]:
        found += [w for w in WORD.findall(ENTITY.sub(" ", chunk)) if w not in UNTRANSLATED_TEXT]
    return found


def test_the_checker_finds_unmarked_text():
    source = """{% load i18n %}<h1>Hello</h1>{% translate "Fine" %}
    <p title="Tip">{% blocktranslate %}Also {{ fine }}{% endblocktranslate %}</p>
    {% comment %}Notes{% endcomment %}<button aria-label="{% translate 'x' %}">·</button>
    <script>var a = "code";</script><input value="Send">{{ user.name }} 42 newsite
    <code>--step-1</code><input type="hidden" name="action" value="follow">
    <main class="{% block main_class %}wrap{% endblock %}">"""
    assert unmarked_text(source) == ["Hello", "Tip", "Send"]


def test_templates_mark_their_text():
    templates = ROOT / "templates"
    problems = {}
    for path in sorted(templates.rglob("*")):
        name = path.relative_to(templates).as_posix()
        if path.suffix not in {".html", ".txt"}:
            continue
        if words := unmarked_text(path.read_text()):
            problems[name] = words
    assert problems == {}
