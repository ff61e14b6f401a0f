"""The claim page: a reader takes back the comments they wrote before the site moved here."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views import View

from comments import ratelimit

from .services import claimable_identities, identity_claim

CLAIMS_PER_MINUTE = 10


class ClaimView(LoginRequiredMixin, View):
    template_name = "portability/claim.html"

    def identities(self, request: HttpRequest):
        return (
            claimable_identities(user=request.user)
            .annotate(comment_count=Count("user__comments"))
            .order_by("source", "name", "pk")
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"identities": self.identities(request)})

    def post(self, request: HttpRequest) -> HttpResponse:
        identities = self.identities(request)
        if not ratelimit.hit(f"claim:{request.user.pk}", limit=CLAIMS_PER_MINUTE, window=60):
            error = gettext("You are claiming too often. Please wait a minute.")
            return render(
                request, self.template_name, {"identities": identities, "error": error}, status=429
            )
        chosen = identities.filter(pk__in=request.POST.getlist("identity"))
        if not chosen:
            error = gettext("Choose the comments you want to claim.")
            return render(request, self.template_name, {"identities": identities, "error": error})
        moved = sum(identity_claim(identity=identity, user=request.user) for identity in chosen)
        messages.success(
            request,
            ngettext("%(count)d comment is now yours.", "%(count)d comments are now yours.", moved)
            % {"count": moved},
        )
        return HttpResponseRedirect(reverse("accounts:profile"))
