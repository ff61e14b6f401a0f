"""Incoming ActivityPub activities as typed values: JSON in, an `Activity` out, or an
`ActivityError` saying what is wrong. Pure: no database, no network.

Servers differ in how they spell the same thing (an object inline or as a bare id, `to` as a
string or a list, `inReplyTo` as an id or an object); this module hides those differences so
the worker (federation/inbound.py) deals in one shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Object types that become comments. WordPress sends posts as Articles; Mastodon sends Notes.
NOTE_TYPES = frozenset({"Note", "Article", "Page", "Question"})
SUPPORTED_TYPES = frozenset(
    {"Create", "Update", "Delete", "Like", "Announce", "Follow", "Undo", "Accept", "Reject"}
)
MAX_ID_LENGTH = 500


class ActivityError(ValueError):
    """The JSON is not an activity we can read; the message says why (for logs and 400s)."""


def as_id(value: Any) -> str:
    """The id of a reference, whether given as a string, an object with `id`, or a list of
    either (the first counts); '' when there is none."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("id") or value.get("href") or ""
    if not isinstance(value, str) or len(value) > MAX_ID_LENGTH:
        return ""
    return value.strip()


def as_list(value: Any) -> list[str]:
    """Addresses (`to`, `cc`) as a list of ids whatever way they were written."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [found for item in items if (found := as_id(item))]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


@dataclass(frozen=True)
class Tag:
    type: str
    href: str
    name: str


@dataclass(frozen=True)
class NoteObject:
    """The parts of a Note (or Article) a comment needs."""

    id: str
    type: str
    attributed_to: str
    in_reply_to: str
    content: str
    url: str
    name: str = ""
    summary: str = ""
    published: str = ""
    updated: str = ""
    tags: tuple[Tag, ...] = ()
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()


@dataclass(frozen=True)
class Activity:
    id: str
    type: str
    actor: str
    object_id: str
    # The object when it came inline: a NoteObject for notes, the inner Activity for Undo.
    note: NoteObject | None = None
    inner: Activity | None = None
    object_type: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_public(self) -> bool:
        public = "https://www.w3.org/ns/activitystreams#Public"
        if self.note is None:
            return False
        return public in self.note.to or public in self.note.cc or "as:Public" in self.note.to


def _url(value: Any) -> str:
    """`url` is a string, a Link object, or a list of either; prefer text/html links."""
    if isinstance(value, list):
        html = [v for v in value if isinstance(v, dict) and v.get("mediaType") == "text/html"]
        value = (html or value or [""])[0]
    return as_id(value)


def parse_tags(value: Any) -> tuple[Tag, ...]:
    items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
    tags = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("type"), str):
            tags.append(
                Tag(type=item["type"], href=as_id(item.get("href")), name=_text(item.get("name")))
            )
    return tuple(tags)


def parse_note(data: dict) -> NoteObject:
    note_id = as_id(data)
    if not note_id:
        raise ActivityError("The object has no id.")
    content = _text(data.get("content"))
    if not content and isinstance(data.get("contentMap"), dict):
        content = next((v for v in data["contentMap"].values() if isinstance(v, str)), "")
    return NoteObject(
        id=note_id,
        type=_text(data.get("type")),
        attributed_to=as_id(data.get("attributedTo")),
        in_reply_to=as_id(data.get("inReplyTo")),
        content=content,
        url=_url(data.get("url")) or note_id,
        name=_text(data.get("name")),
        summary=_text(data.get("summary")),
        published=_text(data.get("published")),
        updated=_text(data.get("updated")),
        tags=parse_tags(data.get("tag")),
        to=tuple(as_list(data.get("to"))),
        cc=tuple(as_list(data.get("cc"))),
    )


def parse_activity(data: Any, *, depth: int = 0) -> Activity:
    """Read one activity; raise ActivityError for anything that is not one."""
    if not isinstance(data, dict):
        raise ActivityError("An activity must be a JSON object.")
    kind = data.get("type")
    if isinstance(kind, list):  # JSON-LD allows several types; ours are never combined
        kind = next((k for k in kind if k in SUPPORTED_TYPES), kind[0] if kind else None)
    if not isinstance(kind, str) or not kind:
        raise ActivityError("The activity has no type.")
    activity_id = as_id(data)
    if not activity_id:
        raise ActivityError("The activity has no id.")
    actor = as_id(data.get("actor"))
    if not actor:
        raise ActivityError("The activity has no actor.")
    obj = data.get("object")
    object_id = as_id(obj)
    if not object_id:
        raise ActivityError("The activity has no object.")
    note = inner = None
    object_type = ""
    if isinstance(obj, dict):
        object_type = _text(obj.get("type"))
        if object_type in NOTE_TYPES:
            note = parse_note(obj)
        elif kind == "Undo" and depth == 0 and object_type:
            # Mastodon embeds the undone activity; its actor may be left out.
            inner = parse_activity({"actor": actor, **obj}, depth=1)
    return Activity(
        id=activity_id,
        type=kind,
        actor=actor,
        object_id=object_id,
        note=note,
        inner=inner,
        object_type=object_type,
        raw=data,
    )
