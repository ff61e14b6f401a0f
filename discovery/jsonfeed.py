"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) as a feed type of Django's syndication
framework. A Feed class serves JSON by naming `JSONFeed` as its `feed_type`: the items, links and
dates come from the same `items()` and `item_*` methods as its RSS and Atom twins, so the three
formats cannot drift apart.
"""

import json
from datetime import datetime
from typing import Any

from django.utils.feedgenerator import SyndicationFeed

VERSION = "https://jsonfeed.org/version/1.1"
CONTENT_TYPE = "application/feed+json"


def rfc3339(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _without_empty(data: dict[str, Any]) -> dict[str, Any]:
    # JSON Feed has no nulls: an optional field is left out.
    return {key: value for key, value in data.items() if value not in (None, "", [], ())}


class JSONFeed(SyndicationFeed):
    """Writes `self.feed` and `self.items` as JSON Feed 1.1.

    Besides the syndication framework's item fields it reads two that the Feed passes through
    `item_extra_kwargs()`: `summary` (plain text) and `authors` (a list of {"name", "url"}).
    `content_html` is the item's description: the HTML the RSS and Atom feeds carry.
    """

    content_type = f"{CONTENT_TYPE}; charset=utf-8"

    def write(self, outfile, encoding) -> None:
        outfile.write(json.dumps(self.document(), ensure_ascii=False))

    def document(self) -> dict[str, Any]:
        feed = self.feed
        authors = [_author(feed["author_name"], feed["author_link"])]
        return {
            "version": VERSION,
            **_without_empty(
                {
                    "title": feed["title"],
                    "home_page_url": feed["link"],
                    "feed_url": feed["feed_url"],
                    "description": feed["description"],
                    "language": feed["language"],
                    "authors": [a for a in authors if a],
                }
            ),
            "items": [self.entry(item) for item in self.items],
        }

    def entry(self, item: dict[str, Any]) -> dict[str, Any]:
        authors = item.get("authors") or [_author(item["author_name"], item["author_link"])]
        entry = _without_empty(
            {
                "id": item["unique_id"] or item["link"],
                "url": item["link"],
                "title": item["title"],
                "content_html": item["description"],
                "summary": item.get("summary"),
                "date_published": rfc3339(item["pubdate"]),
                "date_modified": rfc3339(item["updateddate"]),
                "authors": [a for a in authors if a],
                "tags": list(item["categories"]),
            }
        )
        entry.setdefault("content_html", "")  # required: an item has content_html or _text
        return entry


def _author(name: str | None, url: str | None) -> dict[str, str] | None:
    return _without_empty({"name": name, "url": url}) or None
