from django.apps import AppConfig
from django.db.models.signals import post_migrate


def name_default_site(using: str = "default", **kwargs) -> None:
    """Rename Django's placeholder Site ("example.com") after DJANGO_SITE_NAME / _URL.

    allauth's e-mails greet readers with the Site's name and social apps hang off a Site. This
    runs after every migrate (and test-database flush), after django.contrib.sites has made its
    default row; a Site an editor has already renamed is left alone.
    """
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.contrib.sites.models import Site

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    updated = (
        Site.objects.using(using)
        .filter(pk=settings.SITE_ID, domain="example.com")
        .update(domain=domain, name=settings.SITE_NAME)
    )
    if updated:
        Site.objects.clear_cache()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Once per migrate: accounts comes after django.contrib.sites in INSTALLED_APPS, so
        # the default Site exists by the time this app's post_migrate is sent.
        post_migrate.connect(name_default_site, sender=self)
