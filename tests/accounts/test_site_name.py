"""Django's placeholder Site is named after DJANGO_SITE_NAME / _URL by every migrate."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def test_migrate_names_the_placeholder_site_once():
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    with CaptureQueriesContext(connection) as captured:
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == (urlsplit(settings.SITE_URL).netloc, settings.SITE_NAME)
    renames = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len([sql for sql in renames if "django_site" in sql]) == 1


def test_a_site_an_editor_renamed_is_left_alone():
    Site.objects.filter(pk=settings.SITE_ID).update(domain="news.example.org", name="Our News")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("news.example.org", "Our News")
