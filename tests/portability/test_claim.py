"""Imported authors cannot sign in; a reader who verifies the same address claims them."""

from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from accounts.services import user_delete, user_export_data
from comments.models import Comment
from portability.models import ImportedIdentity
from portability.services import comments_import
from tests.factories import ArticleFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def imported():
    article = ArticleFactory(slug="harbour-strike", title="Harbour strike ends")
    comments_import(path=FIXTURES / "disqus.xml", format="disqus")
    return article


def test_imported_author_cannot_sign_in(client, imported):
    zoe = ImportedIdentity.objects.get(key="zoe@example.net").user
    assert not zoe.is_active
    assert not zoe.has_usable_password()
    assert not client.login(username=zoe.username, password="")


def test_verified_reader_is_offered_the_claim(imported):
    reader = UserFactory(email="zoe@example.net")
    request = RequestFactory().get("/accounts/confirm-email/")
    request.session = {}
    request._messages = FallbackStorage(request)
    email_confirmed.send(
        sender=None, request=request, email_address=EmailAddress.objects.get(user=reader)
    )
    [message] = list(get_messages(request))
    assert "You can claim them" in str(message)
    assert reverse("portability:claim") in str(message)


def test_claim_moves_the_comments(client, imported):
    reader = UserFactory(email="ZOE@example.net", display_name="Zoë")
    placeholder = ImportedIdentity.objects.get(key="zoe@example.net").user
    client.force_login(reader)
    page = client.get(reverse("portability:claim")).content.decode()
    assert "2 comments as “Zoë Ångström 🚢” (Disqus XML export)" in page
    identity = ImportedIdentity.objects.get(key="zoe@example.net")
    response = client.post(reverse("portability:claim"), {"identity": [identity.pk]})
    assert response.status_code == 302
    assert Comment.objects.filter(author=reader).count() == 2
    assert not User.objects.filter(pk=placeholder.pk).exists()
    identity.refresh_from_db()
    assert identity.user == reader
    assert identity.is_claimed
    # Personal data: in the reader's export, and gone with the account.
    exported = user_export_data(user=reader)
    assert exported["imported identities"][0]["email"] == "Zoe@Example.net"
    user_delete(user=reader, erase_comments=False)
    assert not ImportedIdentity.objects.filter(pk=identity.pk).exists()


def test_unverified_or_other_address_cannot_claim(client, imported):
    stranger = UserFactory(email="mallory@example.net")
    unverified = UserFactory(email="bob@example.net", verified=False)
    bob = ImportedIdentity.objects.get(key="bob@example.net")
    for user in (stranger, unverified):
        client.force_login(user)
        assert "no imported comments" in client.get(reverse("portability:claim")).content.decode()
        response = client.post(reverse("portability:claim"), {"identity": [bob.pk]})
        assert "no imported comments" in response.content.decode()
    assert not Comment.objects.filter(author__in=[stranger, unverified]).exists()


def test_claim_page_needs_sign_in(client):
    response = client.get(reverse("portability:claim"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_claim_page_queries_do_not_grow_with_identities(client, django_assert_num_queries):
    """Stops an N+1 on each identity's comment count."""
    reader = UserFactory(email="many@example.net")
    client.force_login(reader)

    def add_identity(n: int) -> None:
        placeholder = UserFactory(is_active=False)
        ImportedIdentity.objects.create(
            source="disqus", key=f"k{n}", name=f"Name {n}", email=reader.email, user=placeholder
        )

    add_identity(0)
    url = reverse("portability:claim")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 5):
        add_identity(n)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('name="identity"') == 5
