"""Share links: plain URLs to each network's own share page. No SDK, no counter, no tracking.

Which networks appear, and in what order, is `settings.SHARE_NETWORKS`.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.conf import settings


@dataclass(frozen=True)
class ShareLink:
    key: str
    label: str
    url: str
    # Share pages of other sites open in a new tab; mail opens the reader's mail program.
    new_tab: bool = True


def _query(**params: str) -> str:
    # %20 rather than "+": mailto: and some share pages do not decode "+" as a space.
    return urlencode(params, quote_via=quote)


# Each builder gets the title, the absolute canonical URL and the summary.
_BUILDERS = {
    "x": (
        "X",
        lambda t, u, s: "https://x.com/intent/post?" + _query(text=t, url=u),
    ),
    "facebook": (
        "Facebook",
        lambda t, u, s: "https://www.facebook.com/sharer/sharer.php?" + _query(u=u),
    ),
    "linkedin": (
        "LinkedIn",
        lambda t, u, s: "https://www.linkedin.com/sharing/share-offsite/?" + _query(url=u),
    ),
    "reddit": (
        "Reddit",
        lambda t, u, s: "https://www.reddit.com/submit?" + _query(url=u, title=t),
    ),
    "bluesky": (
        "Bluesky",
        lambda t, u, s: "https://bsky.app/intent/compose?" + _query(text=f"{t} {u}"),
    ),
    "whatsapp": (
        "WhatsApp",
        lambda t, u, s: "https://wa.me/?" + _query(text=f"{t} {u}"),
    ),
    "telegram": (
        "Telegram",
        lambda t, u, s: "https://t.me/share/url?" + _query(url=u, text=t),
    ),
    "email": (
        "Email",
        lambda t, u, s: "mailto:?" + _query(subject=t, body=f"{s}\n\n{u}" if s else u),
    ),
}

# Networks that are not plain links: drawn by templates/includes/share.html.
WIDGETS = frozenset({"mastodon", "copy", "native"})
KNOWN_NETWORKS = frozenset(_BUILDERS) | WIDGETS


def share_networks() -> list[str]:
    """The configured networks, unknown names dropped (a typo must not break every article)."""
    return [key for key in settings.SHARE_NETWORKS if key in KNOWN_NETWORKS]


def share_links(*, title: str, url: str, summary: str = "") -> list[ShareLink]:
    """The plain share links for one page, in the configured order."""
    links = []
    for key in share_networks():
        if key in _BUILDERS:
            label, build = _BUILDERS[key]
            links.append(ShareLink(key, label, build(title, url, summary), key != "email"))
    return links


def mastodon_share_url(*, instance: str, title: str, url: str) -> str:
    """The share page on the reader's own server; `instance` must be a `clean_instance` result."""
    return f"https://{instance}/share?" + _query(text=f"{title} {url}")


# A Mastodon handle: @user@host (user names are letters, digits and underscores).
_HANDLE = re.compile(r"@?[a-z0-9_]+@(?P<host>[^@]+)")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def clean_instance(value: str) -> str | None:
    """The host name of a Mastodon server typed by a reader, or None if it is not one.

    Accepts what people paste: `mastodon.social`, `https://mastodon.social/`, or a handle such
    as `@me@mastodon.social`. Refuses anything with a path, query, port, credentials or an IP
    address, so the redirect can only ever go to `https://<host>/share`.
    """
    host = value.strip().lower()
    handle = _HANDLE.fullmatch(host)
    if handle:
        host = handle["host"]
    for scheme in ("https://", "http://"):
        if host.startswith(scheme):
            host = host[len(scheme) :]
            break
    host = host.removesuffix("/")
    if not host or len(host) > 253:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    if not _TLD.match(labels[-1]):
        return None
    return host
