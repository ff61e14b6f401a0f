"""Reading a page the way other sites do: its meta tags, links and JSON-LD."""

from html.parser import HTMLParser


class HeadParser(HTMLParser):
    """Collects what other sites read from a page: meta tags, links and JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta":
            key = attributes.get("property") or attributes.get("name")
            if key:
                self.meta.append((key, attributes.get("content", "")))
        elif tag == "link":
            self.links.append(attributes)
        elif tag == "script" and attributes.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    def first(self, key: str) -> str:
        return next(content for name, content in self.meta if name == key)

    def all(self, key: str) -> list[str]:
        return [content for name, content in self.meta if name == key]

    def link(self, rel: str, **attrs: str) -> list[dict[str, str]]:
        return [
            link
            for link in self.links
            if link.get("rel") == rel and all(link.get(k) == v for k, v in attrs.items())
        ]


def parse_head(html: bytes | str) -> HeadParser:
    parser = HeadParser()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser
