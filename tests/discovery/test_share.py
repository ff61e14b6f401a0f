from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from discovery.share import clean_instance, mastodon_share_url, share_links
from tests.factories import ArticleFactory

TRICKY_TITLE = 'Tom & Jerry say "hi" — 日本の#news? 100% <b>sure</b> a+b=c'
URL = "https://news.example/articles/tom-jerry/"


def _query(link) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link.url).query, keep_blank_values=True, strict_parsing=True)


def test_share_links_round_trip_quotes_ampersands_and_non_ascii(settings):
    settings.SHARE_NETWORKS = ["x", "facebook", "linkedin", "reddit", "bluesky"]
    settings.SHARE_NETWORKS += ["whatsapp", "telegram", "email"]
    links = {link.key: link for link in share_links(title=TRICKY_TITLE, url=URL, summary="S & s")}

    assert _query(links["x"]) == {"text": [TRICKY_TITLE], "url": [URL]}
    assert _query(links["facebook"]) == {"u": [URL]}
    assert _query(links["linkedin"]) == {"url": [URL]}
    assert _query(links["reddit"]) == {"url": [URL], "title": [TRICKY_TITLE]}
    assert _query(links["bluesky"]) == {"text": [f"{TRICKY_TITLE} {URL}"]}
    assert _query(links["whatsapp"]) == {"text": [f"{TRICKY_TITLE} {URL}"]}
    assert _query(links["telegram"]) == {"url": [URL], "text": [TRICKY_TITLE]}
    assert _query(links["email"]) == {"subject": [TRICKY_TITLE], "body": [f"S & s\n\n{URL}"]}
    for link in links.values():
        # Only ASCII, no raw space, quote, ampersand inside a value, "+" or "#" left to chance.
        query = urlsplit(link.url).query
        assert link.url.isascii()
        assert not set(' "<>#+') & set(query)
        assert query.count("&") == len(_query(link)) - 1


def test_share_link_hosts():
    hosts = {link.key: urlsplit(link.url).netloc for link in share_links(title="T", url=URL)}
    assert hosts == {
        "x": "x.com",
        "bluesky": "bsky.app",
        "facebook": "www.facebook.com",
        "linkedin": "www.linkedin.com",
        "reddit": "www.reddit.com",
        "whatsapp": "wa.me",
        "telegram": "t.me",
        "email": "",
    }


def test_networks_follow_settings_order_and_ignore_unknown_names(settings):
    settings.SHARE_NETWORKS = ["email", "googleplus", "reddit"]
    assert [link.key for link in share_links(title="T", url=URL)] == ["email", "reddit"]


@pytest.mark.django_db
def test_share_block_on_article_page(client):
    article = ArticleFactory(title=TRICKY_TITLE, slug="tom-jerry")
    html = client.get(article.get_absolute_url()).content.decode()
    section = html[
        html.index('<section class="share"') : html.index(
            "</section>", html.index('<section class="share"')
        )
    ]

    # One call to action, and no second one asking for comments as the old block did.
    assert '<h2 id="share-heading" class="share__title">Share this story</h2>' in section
    assert "Let us know" not in section
    assert "Google" not in html
    x_link = 'href="https://x.com/intent/post?text=Tom%20%26%20Jerry%20say%20%22hi%22'
    assert x_link in section
    # Links to other sites open a new tab without handing it our window or our address.
    assert section.count('target="_blank" rel="noopener noreferrer"') == 7
    assert 'href="mailto:?subject=Tom%20%26%20Jerry' in section
    # Icons with names: each link says where it goes, in words a screen reader reads.
    assert '<span class="visually-hidden">Reddit (opens in a new tab)</span>' in section
    assert '<use href="/static/icons/sprite.svg#i-reddit"></use>' in section
    # No JavaScript needed: the link icon is a plain link to the story (share.js makes it copy);
    # Mastodon sits in a <details> and its form submits to us.
    assert (
        '<a class="share__link share__link--icon" href="https://news.example/articles/tom-jerry/"'
        in section
    )
    assert '<details class="share__mastodon">' in section
    assert f'action="{reverse("discovery:share-mastodon")}"' in section
    # The device's share sheet starts hidden; the script is a deferred file, not inline code.
    assert "<li hidden><button" in section
    assert '<script src="/static/js/share.js" defer></script>' in html


@pytest.mark.django_db
def test_share_block_shows_only_configured_networks(client, settings):
    settings.SHARE_NETWORKS = ["reddit", "email"]
    article = ArticleFactory()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "share__link--reddit" in html
    assert "share__link--email" in html
    assert "share__link--x" not in html
    assert "data-mastodon-form" not in html
    assert "data-copy-link" not in html
    assert "data-share-native" not in html


@pytest.mark.parametrize(
    ("typed", "host"),
    [
        ("mastodon.social", "mastodon.social"),
        ("  Mastodon.Social  ", "mastodon.social"),
        ("https://mastodon.social/", "mastodon.social"),
        ("http://fosstodon.org", "fosstodon.org"),
        ("@ada@hachyderm.io", "hachyderm.io"),
        ("ada@social.example.co.uk", "social.example.co.uk"),
        ("münchen.social", "xn--mnchen-3ya.social"),
    ],
)
def test_clean_instance_accepts_host_names(typed, host):
    assert clean_instance(typed) == host


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "localhost",
        "127.0.0.1",
        "[::1]",
        "mastodon.social/evil",
        "https://mastodon.social/@ada",
        "mastodon.social?next=https://evil.example",
        "mastodon.social#x",
        "mastodon.social:8443",
        "user:pass@mastodon.social",
        "evil.example\\@mastodon.social",
        "//evil.example",
        "javascript:alert(1)",
        "mastodon..social",
        "-bad.example",
        "bad-.example",
        "mastodon.social.",
        "a" * 64 + ".example",
        "exa mple.com",
        "evil.example\r\nLocation: x",
    ],
)
def test_clean_instance_refuses_anything_but_a_host_name(typed):
    assert clean_instance(typed) is None


@pytest.mark.django_db
def test_mastodon_view_redirects_to_the_instance_share_page(client):
    article = ArticleFactory(title="Tom & Jerry", slug="tom-jerry")
    response = client.get(
        reverse("discovery:share-mastodon"),
        {"article": article.slug, "instance": "https://Mastodon.Social/"},
    )
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "mastodon.social", "/share")
    assert parse_qs(target.query) == {
        "text": ["Tom & Jerry https://news.example/articles/tom-jerry/"]
    }
    assert response["Location"] == mastodon_share_url(
        instance="mastodon.social",
        title="Tom & Jerry",
        url="https://news.example/articles/tom-jerry/",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "instance", ["evil.example/phish", "https://evil.example/x?y", "127.0.0.1"]
)
def test_mastodon_view_never_redirects_to_a_path_or_address(client, instance):
    article = ArticleFactory()
    response = client.get(
        reverse("discovery:share-mastodon"), {"article": article.slug, "instance": instance}
    )
    assert response.status_code == 400
    assert "Location" not in response
    assert "is not a server name" in response.content.decode()


@pytest.mark.django_db
def test_mastodon_view_without_instance_shows_the_form(client):
    article = ArticleFactory()
    response = client.get(reverse("discovery:share-mastodon"), {"article": article.slug})
    assert response.status_code == 200
    assert 'name="instance"' in response.content.decode()


@pytest.mark.django_db
def test_mastodon_view_shares_only_published_articles(client):
    draft = ArticleFactory(status="draft")
    response = client.get(
        reverse("discovery:share-mastodon"), {"article": draft.slug, "instance": "mastodon.social"}
    )
    assert response.status_code == 404
    response = client.get(reverse("discovery:share-mastodon"), {"instance": "mastodon.social"})
    assert response.status_code == 404
