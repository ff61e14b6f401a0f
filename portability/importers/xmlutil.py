"""Streaming XML with defusedxml: entity expansion (billion laughs) and external entities (XXE)
are refused, and each record is cleared once read so memory stays flat."""

import datetime as dt
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .core import ImportFileError, WrongFormat


def stream(path, *, root_tag: str, format_name: str) -> Iterator[tuple[str, Element, Element]]:
    """(event, element, root) from a file whose root must be `root_tag`."""
    root = None
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            if root is None:
                root = element
                if element.tag != root_tag:
                    raise WrongFormat(
                        f"this is not a {format_name} file: its root element is "
                        f"<{_local(element.tag)}>{_guess(element.tag)}"
                    )
            yield event, element, root
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        if root is None:
            raise WrongFormat(
                f"this is not a {format_name} file: not XML (line {line}, column {column})"
            ) from exc
        raise ImportFileError(f"line {line}, column {column}: malformed XML ({exc})") from exc
    except DefusedXmlException as exc:
        raise ImportFileError(
            f"refused: the file declares entities or a DTD ({type(exc).__name__}), which an "
            "export never needs and an attack does"
        ) from exc


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _guess(tag: str) -> str:
    if tag == "{http://disqus.com}disqus":
        return " (a Disqus export?)"
    if _local(tag) == "rss":
        return " (a WordPress WXR file?)"
    return ""


def text(element: Element | None, path: str, namespaces: dict | None = None) -> str:
    if element is None:
        return ""
    found = element.find(path, namespaces)
    return (found.text or "").strip() if found is not None else ""


def boolean(value: str) -> bool:
    return value.strip().lower() in {"true", "1", "yes"}


def parse_date(value: str, *, where: str) -> dt.datetime:
    value = value.strip()
    try:
        moment = dt.datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise ImportFileError(f"{where}: “{value}” is not a date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment
