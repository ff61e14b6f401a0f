"""Seed files to ParsedArticle: a pure parser, text in, a typed result or a SeedError out.

Two formats are accepted:

* scraped plain text (see seeds/000_*.txt and ARCHITECTURE.md): title, an optional
  "A / B / C" category line, stray page headlines, a standfirst, body paragraphs, a call to
  action, "Source:" lines and page chrome;
* Markdown with YAML front matter (title, tags, sources, published_at, summary, slug,
  authors, language) for seeds that editors write by hand. `language` is the code of one of
  the site's languages (en, ja, ar); English when absent.

Authors are named only in front matter, never guessed from scraped text (a "By …" line is as
likely to be a quotation as a byline): `authors: Jane Doe` or a list, `authors: [Jane Doe,
Kenji Sato]`, each the name or the slug of an author that exists (Articles > Authors); the
byline keeps their order. The import refuses a name it does not know rather than invent a
staff account.

A Markdown seed may name a lead image in the same folder: `image: harbour.jpg` with
`image_alt:` (required with it), `image_caption:` and `image_credit:`. The parser checks the
name only; the import (articles.services) reads and validates the file.

Nothing is lost silently: every line the parser drops is listed in ParsedArticle.dropped.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import yaml

from newsite.i18n import article_languages
from newsite.markdown import escape_markdown

MAX_SEED_BYTES = 2_000_000
SEED_SUFFIXES = (".txt", ".md", ".markdown")
# More tags or sources than this is a scrape gone wrong (or an attack), not an article.
MAX_TAGS = 20
MAX_SOURCES = 20
MAX_AUTHORS = 10

# Page furniture that scrapes pick up around the article.
CHROME_LINES = frozenset(
    {"comments", "to top", "back to top", "share", "share this", "advertisement", "related"}
)
CALL_TO_ACTION = re.compile(
    r"let us know in the comments|what do you think of this (story|article)|"
    r"tell us (what you think )?in the comments",
    re.IGNORECASE,
)
SOURCE_LINE = re.compile(r"^sources?\s*:\s*(?P<names>.*)$", re.IGNORECASE)
SOURCE_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
SENTENCE_END = (".", "!", "?", '"', "'", ")", ":", "\u201d", "\u2019", "\u2026")
HEADLINE_MAX_WORDS = 10
# Unicode category Cc (C0, DEL and C1 controls) except tab and newline.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class SeedError(ValueError):
    """A seed that cannot be imported; the message names the file and, where it helps, the line."""

    def __init__(self, name: str, message: str, line: int | None = None) -> None:
        self.name = name
        self.line = line
        self.message = message
        where = f"{name}:{line}" if line else name
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class ParsedArticle:
    name: str
    title: str
    body: str  # Markdown, paragraphs separated by a blank line
    summary: str = ""
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    published_at: dt.datetime | None = None
    slug: str = ""
    authors: tuple[str, ...] = ()
    image: "SeedImage | None" = None
    language: str = "en"
    has_call_to_action: bool = False
    dropped: tuple[str, ...] = field(default=(), compare=False)

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n") if self.body else []

    @cached_property
    def digest(self) -> str:
        from articles.models import content_digest

        return content_digest(
            title=self.title,
            summary=self.summary,
            body=self.body,
            tags=sorted(self.tags),
            sources=sorted(self.sources),
            authors=self.authors,
            image=self.image.described if self.image else (),
            language=self.language,
        )


@dataclass(frozen=True)
class SeedImage:
    """A lead image named in front matter: a file beside the seed (`line`: where it is named)."""

    file_name: str
    alt: str
    caption: str = ""
    credit: str = ""
    line: int | None = None

    @property
    def described(self) -> tuple[str, str, str]:
        return (self.alt, self.caption, self.credit)


def read_seed_file(path: Path) -> ParsedArticle:
    """Read and parse one file; unreadable, empty, binary or non-UTF-8 files raise SeedError."""
    name = path.name
    try:
        # Never more than the limit (and one byte to tell) in memory, whatever the file's size.
        with path.open("rb") as file:
            data = file.read(MAX_SEED_BYTES + 1)
    except OSError as exc:
        raise SeedError(name, f"cannot read file ({exc.strerror or exc})") from exc
    if len(data) > MAX_SEED_BYTES:
        raise SeedError(name, too_large_message())
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise SeedError(name, "binary file (contains NUL bytes), not a text seed", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SeedError(name, f"not valid UTF-8 (byte {exc.start})", line) from exc
    return parse_seed(text, name=name)


def too_large_message() -> str:
    return f"file is larger than {MAX_SEED_BYTES:,} bytes"


def parse_seed(text: str, *, name: str) -> ParsedArticle:
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SeedError(name, "file is empty")
    if match := CONTROL_CHARACTER.search(text):
        number = text.count("\n", 0, match.start()) + 1
        raise SeedError(name, f"control character U+{ord(match[0]):04X} in text", number)
    if text.startswith("---\n"):
        return _parse_front_matter(text, name=name)
    return _parse_scraped_text(text, name=name)


# --- scraped plain text -------------------------------------------------------------------


@dataclass
class _Block:
    line: int  # 1-based number of its first line
    lines: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: _Block | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = " ".join(raw.split())  # trims and collapses spaces, tabs and NBSPs
        if not line:
            current = None
        elif current is None:
            current = _Block(number, [line])
            blocks.append(current)
        else:
            current.lines.append(line)
    return blocks


def _is_headline(line: str) -> bool:
    """A short line without sentence punctuation: page furniture, not prose."""
    return len(line.split()) <= HEADLINE_MAX_WORDS and not line.endswith(SENTENCE_END)


def _is_category_line(line: str, *, first: bool) -> bool:
    """ "Business / Security / Tech"; right after the title a lone "Tech" counts too."""
    parts = line.split(" / ")
    if len(parts) == 1 and not (first and len(line.split()) <= 3):
        return False
    return all(0 < len(p.split()) <= 4 and _is_headline(p) for p in parts)


def _plain(line: str) -> str:
    """Curly quotes to straight ones, for matching only."""
    return line.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))


def _parse_scraped_text(text: str, *, name: str) -> ParsedArticle:
    blocks = _blocks(text)
    title_block = blocks[0]
    title = title_block.lines[0]
    if len(title) > field_limits()["title"]:
        raise SeedError(name, "the first line should be the title, found a paragraph", 1)

    tags: list[str] = []
    sources: list[str] = []
    dropped: list[str] = []
    has_cta = False
    paragraphs: list[_Block] = []
    in_header = True  # before the first prose paragraph
    header_lines = 0
    # Lines of the title's block after the title belong to the header too.
    rest = [_Block(title_block.line + i, [line]) for i, line in enumerate(title_block.lines[1:], 1)]
    for block in rest + blocks[1:]:
        prose_lines: list[str] = []
        for offset, line in enumerate(block.lines):
            number = block.line + offset
            following = block.lines[offset + 1] if offset + 1 < len(block.lines) else ""
            # A short line that a prose line continues is the start of a wrapped paragraph.
            header_line = in_header and not (following and not _is_headline(following))
            if match := SOURCE_LINE.match(line):
                names = [n.strip(" .") for n in SOURCE_SPLIT.split(match["names"]) if n.strip(" .")]
                if not names:
                    raise SeedError(name, "'Source:' line names no source", number)
                _add_names(sources, names, kind="source", name=name, line=number)
            elif line.lower().strip(" .:") in CHROME_LINES:
                dropped.append(f"line {number}: page chrome {line!r}")
            elif header_line and not tags and _is_category_line(line, first=header_lines == 0):
                _add_names(tags, line.split(" / "), kind="tag", name=name, line=number)
                header_lines += 1
            elif header_line and _is_headline(line):
                dropped.append(f"line {number}: stray headline {line!r}")
                header_lines += 1
            else:
                prose_lines.append(line)
                in_header = False
        if not prose_lines:
            continue
        paragraph = _Block(block.line, prose_lines)
        if CALL_TO_ACTION.search(_plain(paragraph.text)):
            has_cta = True
            dropped.append(f"line {block.line}: call to action (shown as the comments block)")
        else:
            paragraphs.append(paragraph)

    if not paragraphs:
        raise SeedError(name, "no body text after the title", title_block.line)

    texts = [p.text for p in paragraphs]
    summary = ""
    if len(texts) > 1:
        # The first paragraph is the standfirst; scrapes usually repeat it in the body.
        summary = texts.pop(0)
    return ParsedArticle(
        name=name,
        title=title,
        summary=summary,
        body="\n\n".join(escape_markdown(t) for t in texts),
        tags=tuple(tags),
        sources=tuple(sources),
        has_call_to_action=has_cta,
        dropped=tuple(dropped),
    )


# --- Markdown with YAML front matter ------------------------------------------------------


def _parse_front_matter(text: str, *, name: str) -> ParsedArticle:
    head, separator, body = text[4:].partition("\n---\n")
    if not separator:
        if text[4:].endswith("\n---"):
            head, body = text[4:-4], ""
        else:
            raise SeedError(name, "front matter opened with '---' is never closed", 1)
    try:
        meta, lines = _load_front_matter(head)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SeedError(name, f"front matter: {problem}", line) from exc
    if not isinstance(meta, dict):
        raise SeedError(name, "front matter must be a mapping of field: value", 2)
    known = {"title", "tags", "sources", "published_at", "summary", "slug", "authors", "language"}
    known |= {"image", "image_alt", "image_caption", "image_credit"}
    if unknown := sorted(set(map(str, meta)) - known):
        raise SeedError(name, f"unknown front matter field(s): {', '.join(unknown)}", 2)

    limits = field_limits()
    title = str(meta.get("title") or "").strip()
    if not title:
        raise SeedError(name, "front matter has no title", 2)
    if len(title) > limits["title"]:
        message = f"title is {len(title):,} characters long; the limit is {limits['title']}"
        raise SeedError(name, message, lines.get("title"))
    slug = str(meta.get("slug") or "").strip()
    if len(slug) > limits["slug"]:
        message = f"slug is {len(slug):,} characters long; the limit is {limits['slug']}"
        raise SeedError(name, message, lines.get("slug"))
    language = str(meta.get("language") or "en").strip().lower()
    if language not in dict(article_languages()):
        known_languages = ", ".join(dict(article_languages()))
        message = f"language {language!r} is not one of the site's languages ({known_languages})"
        raise SeedError(name, message, lines.get("language"))
    body = body.strip()
    if not body:
        raise SeedError(name, "no body text after the front matter")
    return ParsedArticle(
        name=name,
        title=title,
        summary=" ".join(str(meta.get("summary") or "").split()),
        body=re.sub(r"\n{3,}", "\n\n", body),
        tags=_name_list(meta.get("tags"), separator=" / ", kind="tag", name=name, lines=lines),
        sources=_name_list(
            meta.get("sources"), separator=",", kind="source", name=name, lines=lines
        ),
        published_at=_datetime(meta.get("published_at"), name=name),
        slug=slug,
        authors=_name_list(
            meta.get("authors"), separator=",", kind="author", name=name, lines=lines
        ),
        image=_image(meta, name=name, lines=lines),
        language=language,
    )


def _image(meta: dict, *, name: str, lines: dict[str, int]) -> SeedImage | None:
    texts = {
        key: " ".join(str(meta.get(f"image{key}") or "").split())
        for key in ("", "_alt", "_caption", "_credit")
    }
    file_name = texts[""]
    if not file_name:
        if any(texts.values()):
            raise SeedError(name, "image_alt, image_caption or image_credit without an image")
        return None
    line = lines.get("image")
    # Only a file beside the seed: never a path that could read elsewhere on the server.
    if Path(file_name).name != file_name or file_name.startswith("."):
        raise SeedError(name, f"image {file_name!r} must be a file name in the seed's folder", line)
    if not texts["_alt"]:
        raise SeedError(name, "image_alt is required with an image: describe what it shows", line)
    limits = field_limits()
    for key in ("_alt", "_caption", "_credit"):
        if len(texts[key]) > limits[f"image{key}"]:
            message = f"image{key} is longer than {limits[f'image{key}']} characters"
            raise SeedError(name, message, lines.get(f"image{key}"))
    return SeedImage(file_name, texts["_alt"], texts["_caption"], texts["_credit"], line)


class _SeedYamlLoader(yaml.SafeLoader):
    """YAML without anchors and aliases, which no article needs.

    An alias repeats a whole node, and aliases of aliases multiply: a few hundred bytes expand
    into millions of characters ("billion laughs"). Refused before anything is built.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (& and *) are not allowed", event.start_mark
            )
        return super().compose_node(parent, index)


def _load_front_matter(head: str) -> tuple[object, dict[str, int]]:
    """The front matter's data, and the file line of each top-level field."""
    loader = _SeedYamlLoader(head)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _ in node.value:
            # +2: the front matter starts on the file's second line, and marks count from 0.
            lines.setdefault(str(key.value), key.start_mark.line + 2)
    return data or {}, lines


@cache
def field_limits() -> dict[str, int]:
    """The models' own max_length for what a seed sets (read late: the models import us)."""
    from articles.models import Article, Author, Source, Tag

    return {
        "title": Article._meta.get_field("title").max_length,
        "slug": Article._meta.get_field("slug").max_length,
        "tag": Tag._meta.get_field("name").max_length,
        "source": Source._meta.get_field("name").max_length,
        "author": Author._meta.get_field("name").max_length,
        **{
            f"image{key}": Article._meta.get_field(f"lead_image{key}").max_length
            for key in ("_alt", "_caption", "_credit")
        },
    }


def _add_names(
    names: list[str], new: Iterable[str], *, kind: str, name: str, line: int | None
) -> None:
    """Append the new names not already there: at most MAX_TAGS tags (MAX_SOURCES sources,
    MAX_AUTHORS authors), each within its model's max_length. Stops at the first one too many."""
    cap = {"tag": MAX_TAGS, "source": MAX_SOURCES, "author": MAX_AUTHORS}[kind]
    limit = field_limits()[kind]
    seen = set(names)
    for text in new:
        if text in seen:
            continue
        if len(text) > limit:
            message = f"{kind} {text[:40]!r}… is {len(text):,} characters; the limit is {limit}"
            raise SeedError(name, message, line)
        if len(names) == cap:
            raise SeedError(name, f"more than {cap} {kind}s; at most {cap} are allowed", line)
        names.append(text)
        seen.add(text)


def _name_list(
    value, *, separator: str, kind: str, name: str, lines: dict[str, int]
) -> tuple[str, ...]:
    field_name = f"{kind}s"
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(separator)
    if not isinstance(value, list):
        raise SeedError(name, f"front matter {field_name} must be a list or a string")
    names: list[str] = []
    texts = (" ".join(str(item).split()) for item in value)
    _add_names(names, filter(None, texts), kind=kind, name=name, line=lines.get(field_name))
    return tuple(names)


def _datetime(value, *, name: str) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise SeedError(name, f"published_at {value!r} is not an ISO 8601 date") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def seed_paths(paths: list[Path]) -> list[Path]:
    """Expand folders into their seed files, sorted, so imports are repeatable."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in SEED_SUFFIXES))
        else:
            found.append(path)
    return found
