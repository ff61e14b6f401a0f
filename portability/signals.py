"""A reader who verifies an address that imported comments were written under is told they
can claim them (the claim itself is a deliberate step on the claim page)."""

from allauth.account.signals import email_confirmed
from django.contrib import messages
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext

from .models import ImportedIdentity


@receiver(email_confirmed)
def offer_claim(request, email_address, **kwargs) -> None:
    if request is None:
        return
    if (
        ImportedIdentity.objects.filter(email__iexact=email_address.email, claimed_at__isnull=True)
        .exclude(email="")
        .exists()
    ):
        messages.info(
            request,
            gettext(
                "Comments you wrote before this site moved here were imported under this "
                "address. You can claim them: %(url)s"
            )
            % {"url": request.build_absolute_uri(reverse("portability:claim"))},
        )
