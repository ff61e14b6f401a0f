"""The documents other servers read: actor, WebFinger, NodeInfo, host-meta, outbox, followers,
articles as ActivityStreams objects with their replies, and content negotiation with caches."""

from __future__ import annotations

import json

import pytest

from federation import vocab
from federation.documents import OUTBOX_PAGE_SIZE
from federation.models import Follower, RemoteActor, SiteActor
from tests.factories import ArticleFactory, CommentFactory, TagFactory

pytestmark = pytest.mark.django_db

AP = "application/activity+json"
LD = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get_json(client, url, accept=AP, **params):
    response = client.get(url, params, HTTP_ACCEPT=accept)
    assert response.status_code == 200, response.content[:300]
    return response, json.loads(response.content)


def test_the_actor_document(client, settings):
    response, actor = get_json(client, "/federation/actor")
    assert response["Content-Type"] == AP
    assert "Accept" in response["Vary"]
    key = SiteActor.current()
    base = settings.SITE_URL
    assert actor["@context"] == vocab.CONTEXT
    assert actor["id"] == f"{base}/federation/actor"
    assert actor["type"] == "Service"
    assert actor["preferredUsername"] == "news"
    assert actor["inbox"] == f"{base}/federation/actor/inbox"
    assert actor["outbox"] == f"{base}/federation/outbox"
    assert actor["followers"] == f"{base}/federation/followers"
    assert actor["endpoints"] == {"sharedInbox": f"{base}/federation/inbox"}
    assert actor["url"] == f"{base}/"
    assert actor["icon"]["url"].startswith(f"{base}/static/icons/logo")
    assert actor["manuallyApprovesFollowers"] is False
    assert actor["discoverable"] is True
    assert actor["publicKey"] == {
        "id": f"{base}/federation/actor#main-key",
        "owner": actor["id"],
        "publicKeyPem": key.public_key_pem,
    }


def test_the_actor_icon_is_served_by_us(client):
    _, actor = get_json(client, "/federation/actor")
    assert actor["icon"]["mediaType"] == "image/png"
    assert (vocab.absolute("/static/icons/logo.png")) == actor["icon"]["url"]


def test_a_browser_at_the_actor_url_is_sent_to_the_home_page(client):
    response = client.get("/federation/actor", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "Accept" in response["Vary"]


def test_webfinger_finds_the_site_by_handle_and_by_actor_url(client, settings):
    host = settings.SITE_URL.split("//")[1]
    for resource in (f"acct:news@{host}", f"acct:NEWS@{host.upper()}", vocab.actor_id()):
        response, jrd = get_json(client, "/.well-known/webfinger", resource=resource)
        assert response["Content-Type"] == "application/jrd+json"
        assert jrd["subject"] == f"acct:news@{host}"
        assert {
            "rel": "self",
            "type": "application/activity+json",
            "href": vocab.actor_id(),
        } in jrd["links"]


def test_webfinger_answers_unknown_and_missing_resources_clearly(client, settings):
    host = settings.SITE_URL.split("//")[1]
    for resource in (f"acct:someone@{host}", "acct:news@elsewhere.example", "https://x.example/"):
        response = client.get("/.well-known/webfinger", {"resource": resource})
        assert response.status_code == 404
    response = client.get("/.well-known/webfinger")
    assert response.status_code == 400
    assert b"resource" in response.content


def test_the_actor_name_comes_from_the_setting(client, settings):
    settings.FEDERATION_ACTOR_NAME = "desk"
    host = settings.SITE_URL.split("//")[1]
    _, jrd = get_json(client, "/.well-known/webfinger", resource=f"acct:desk@{host}")
    assert jrd["subject"] == f"acct:desk@{host}"
    assert (
        client.get("/.well-known/webfinger", {"resource": f"acct:news@{host}"}).status_code == 404
    )


def test_nodeinfo(client):
    ArticleFactory.create_batch(2)
    ArticleFactory(status="draft")
    _, links = get_json(client, "/.well-known/nodeinfo")
    (link,) = links["links"]
    assert link["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1"
    response, info = get_json(client, link["href"].removeprefix(vocab.absolute("")))
    assert response["Content-Type"].startswith("application/json")
    assert info["version"] == "2.1"
    assert info["software"]["name"] == "newsite"
    assert info["software"]["version"] == "0.1.0"
    assert info["protocols"] == ["activitypub"]
    assert info["usage"]["localPosts"] == 2  # published articles only


def test_host_meta_points_at_webfinger(client):
    response = client.get("/.well-known/host-meta")
    assert response["Content-Type"] == "application/xrd+xml"
    assert b'template="http://' in response.content
    assert b"/.well-known/webfinger?resource={uri}" in response.content


def test_the_outbox_pages_published_articles_newest_first(client):
    articles = ArticleFactory.create_batch(OUTBOX_PAGE_SIZE + 1)
    ArticleFactory(status="draft")
    _, outbox = get_json(client, "/federation/outbox")
    assert outbox["type"] == "OrderedCollection"
    assert outbox["totalItems"] == OUTBOX_PAGE_SIZE + 1
    assert outbox["first"].endswith("/federation/outbox?page=1")
    _, first = get_json(client, "/federation/outbox", page=1)
    assert first["type"] == "OrderedCollectionPage"
    assert len(first["orderedItems"]) == OUTBOX_PAGE_SIZE
    assert first["next"].endswith("?page=2")
    item = first["orderedItems"][0]
    assert item["type"] == "Create"
    assert item["object"]["type"] == "Article"
    newest = max(articles, key=lambda a: (a.published_at, a.pk))
    assert item["object"]["id"] == vocab.absolute(newest.get_absolute_url())
    _, second = get_json(client, "/federation/outbox", page=2)
    assert len(second["orderedItems"]) == 1
    assert "next" not in second
    assert client.get("/federation/outbox", {"page": "x"}).status_code == 400


def test_the_outbox_page_costs_a_constant_number_of_queries(client, page_queries):
    """The count, the articles, their tags: not a query per article."""
    ArticleFactory.create_batch(5, tags=[TagFactory()])
    with page_queries() as sql:
        client.get("/federation/outbox", {"page": 1})
    assert len(sql) == 3, sql


def test_the_followers_collection_counts_only(client):
    for n in range(3):
        actor = RemoteActor.objects.create(actor_id=f"https://r.example/u/{n}", domain="r.example")
        Follower.objects.create(remote_actor=actor)
    _, followers = get_json(client, "/federation/followers")
    assert followers["totalItems"] == 3
    assert "orderedItems" not in followers
    assert "first" not in followers


# --- articles as ActivityStreams --------------------------------------------------------------


@pytest.fixture
def article():
    return ArticleFactory(
        slug="ports",
        title="Ports reopen",
        summary="After the strike.",
        body="The **ports** reopened.",
        tags=[TagFactory(name="Shipping", slug="shipping")],
    )


@pytest.mark.parametrize("accept", [AP, LD, "application/ld+json", f"text/html;q=0.9, {AP}"])
def test_the_article_url_answers_activitystreams(client, article, accept):
    response, document = get_json(client, "/articles/ports/", accept=accept)
    assert response["Content-Type"] == AP
    assert "Accept" in response["Vary"]
    url = vocab.absolute("/articles/ports/")
    assert document["@context"] == vocab.AS_CONTEXT
    assert document["id"] == url
    assert document["url"] == url
    assert document["type"] == "Article"
    assert document["name"] == "Ports reopen"
    assert document["summary"] == "After the strike."
    assert "<strong>ports</strong>" in document["content"]
    assert document["attributedTo"] == vocab.actor_id()
    assert document["to"] == [vocab.PUBLIC]
    assert document["cc"] == [vocab.followers_url()]
    assert document["published"].endswith("Z")
    assert "updated" in document
    assert document["tag"] == [
        {"type": "Hashtag", "name": "#Shipping", "href": vocab.absolute("/tags/shipping/")}
    ]


def test_html_stays_the_default_and_says_vary_accept(client, article):
    for accept in (BROWSER, "*/*", None, f"{AP};q=0"):
        extra = {"HTTP_ACCEPT": accept} if accept else {}
        response = client.get("/articles/ports/", **extra)
        assert response["Content-Type"].startswith("text/html")
        assert "Accept" in response["Vary"]


def test_drafts_are_not_served_as_activitystreams(client):
    ArticleFactory(slug="secret", status="draft")
    assert client.get("/articles/secret/", HTTP_ACCEPT=AP).status_code == 404


def test_replies_are_the_public_comments_as_notes(client, article):
    first = CommentFactory(article=article, author__display_name="Ada <3")
    answer = CommentFactory(article=article, parent=first, root=first, depth=1)
    CommentFactory(article=article, status="pending")
    CommentFactory(article=article, status="removed")
    _, document = get_json(client, "/articles/ports/")
    replies = document["replies"]
    assert replies["type"] == "OrderedCollection"
    assert replies["totalItems"] == 2
    notes = replies["first"]["orderedItems"]
    assert [n["id"] for n in notes] == [
        vocab.absolute(f"/comments/{first.pk}/"),
        vocab.absolute(f"/comments/{answer.pk}/"),
    ]
    assert notes[0]["type"] == "Note"
    assert notes[0]["inReplyTo"] == vocab.absolute("/articles/ports/")
    assert notes[1]["inReplyTo"] == notes[0]["id"]
    assert notes[0]["attributedTo"] == vocab.actor_id()
    assert "<strong>Ada &lt;3</strong>" in notes[0]["content"]  # the author, escaped
    _, collection = get_json(client, replies["id"].removeprefix(vocab.absolute("")))
    assert collection["totalItems"] == 2
    _, page = get_json(client, replies["id"].removeprefix(vocab.absolute("")), page=1)
    assert page["type"] == "OrderedCollectionPage"
    assert len(page["orderedItems"]) == 2


def test_the_activitystreams_article_costs_a_constant_number_of_queries(
    client, article, page_queries
):
    """Guards against a query per Note (author, parent) in the replies: the article, its tags
    and sources, the comment count and one page of comments with their authors."""
    for _ in range(3):
        parent = CommentFactory(article=article)
        CommentFactory(article=article, parent=parent, root=parent, depth=1)
    with page_queries() as sql:
        client.get("/articles/ports/", HTTP_ACCEPT=AP)
    assert len(sql) == 5, sql


def test_the_page_cache_keeps_the_two_representations_apart(client, article, settings):
    settings.PAGE_CACHE = True
    html = client.get("/articles/ports/", HTTP_ACCEPT=BROWSER)
    assert html["X-Page-Cache"] == "miss"
    assert client.get("/articles/ports/", HTTP_ACCEPT=BROWSER)["X-Page-Cache"] == "hit"
    activity = client.get("/articles/ports/", HTTP_ACCEPT=AP)
    assert activity["X-Page-Cache"] == "miss"
    assert activity["Content-Type"] == AP
    again = client.get("/articles/ports/", HTTP_ACCEPT=LD)
    assert again["X-Page-Cache"] == "hit"
    assert again["Content-Type"] == AP
    assert "Accept" in again["Vary"]
    html_again = client.get("/articles/ports/", HTTP_ACCEPT=BROWSER)
    assert html_again["Content-Type"].startswith("text/html")
    assert "Accept" in html_again["Vary"]


def test_an_html_etag_never_answers_304_to_activitystreams(client, article, settings):
    settings.PAGE_CACHE = True
    html = client.get("/articles/ports/", HTTP_ACCEPT=BROWSER)
    activity = client.get("/articles/ports/", HTTP_ACCEPT=AP)
    assert html["ETag"] != activity["ETag"]
    revalidated = client.get("/articles/ports/", HTTP_ACCEPT=AP, HTTP_IF_NONE_MATCH=html["ETag"])
    assert revalidated.status_code == 200
    assert revalidated["Content-Type"] == AP
    same = client.get("/articles/ports/", HTTP_ACCEPT=AP, HTTP_IF_NONE_MATCH=activity["ETag"])
    assert same.status_code == 304


def test_a_comment_permalink_answers_its_note(client, article):
    parent = CommentFactory(article=article)
    comment = CommentFactory(article=article, parent=parent, root=parent, depth=1)
    response, note = get_json(client, f"/comments/{comment.pk}/")
    assert response["Content-Type"] == AP
    assert "Accept" in response["Vary"]
    assert note["id"] == vocab.absolute(f"/comments/{comment.pk}/")
    assert note["type"] == "Note"
    assert note["inReplyTo"] == vocab.absolute(f"/comments/{parent.pk}/")
    browser = client.get(f"/comments/{comment.pk}/", HTTP_ACCEPT=BROWSER)
    assert browser.status_code == 302
    assert "Accept" in browser["Vary"]


def test_a_held_or_deleted_comment_has_no_note(client, article):
    held = CommentFactory(article=article, status="pending")
    assert client.get(f"/comments/{held.pk}/", HTTP_ACCEPT=AP).status_code == 404
    client.force_login(held.author)  # even its author, who may see it on the page
    assert client.get(f"/comments/{held.pk}/", HTTP_ACCEPT=AP).status_code == 404
