import json

from allauth.core import ratelimit
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView

from comments import ratelimit as counters
from comments.models import Comment
from notices.models import StatementOfReasons

from .forms import DeleteAccountForm, ProfileForm
from .services import user_delete, user_export_data, user_update_profile

COMMENTS_PER_PAGE = 20
PROFILE_SAVES_PER_MINUTE = 10
# The latest decisions about the reader's comments (DSA statements of reasons) on their page.
STATEMENTS_SHOWN = 50


class ProfileView(LoginRequiredMixin, FormView):
    """The reader's own page: their comments and the settings only they can change."""

    template_name = "accounts/profile.html"
    form_class = ProfileForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "instance": self.request.user}

    def get_context_data(self, **kwargs) -> dict:
        user = self.request.user
        # What the reader sees of their own comments in threads (published, or held/hidden with
        # the reason), minus those they deleted.
        comments = (
            Comment.objects.visible_to(user)
            .filter(author=user, deleted_at__isnull=True)
            .select_related("article")
            .order_by("-created_at", "-pk")
        )
        page = Paginator(comments, COMMENTS_PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            comments=page.object_list,
            statements=StatementOfReasons.objects.for_recipient(user).select_related(
                "comment__article", "appeal"
            )[:STATEMENTS_SHOWN],
            mutes=user.mutes.select_related("muted") if user.mute_count else [],
            social_connections_available=bool(get_social_adapter().list_providers(self.request)),
            **kwargs,
        )

    def form_valid(self, form: ProfileForm) -> HttpResponse:
        if not counters.hit(
            f"profile:{self.request.user.pk}", limit=PROFILE_SAVES_PER_MINUTE, window=60
        ):
            form.add_error(None, "You are saving too often. Please wait a minute.")
            return self.form_invalid(form)
        user_update_profile(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Your settings are saved."))
        return HttpResponseRedirect(reverse("accounts:profile"))


class ExportView(LoginRequiredMixin, View):
    """Download everything we hold about the signed-in reader as one JSON file."""

    def get(self, request: HttpRequest) -> HttpResponse:
        data = user_export_data(user=request.user)
        filename = f"{settings.SITE_NAME}-data-{timezone.now():%Y-%m-%d}.json"
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "private, no-store"
        return response


class DeleteAccountView(LoginRequiredMixin, FormView):
    template_name = "accounts/delete.html"
    form_class = DeleteAccountForm

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # The password check shares allauth's re-authentication limit, so a borrowed session
        # cannot be used to guess the password here.
        limited = ratelimit.consume_or_429(request, action="reauthenticate", user=request.user)
        return limited or super().post(request, *args, **kwargs)

    def form_valid(self, form: DeleteAccountForm) -> HttpResponse:
        user = self.request.user
        logout(self.request)
        user_delete(user=user, erase_comments=form.erase_comments)
        messages.success(self.request, _("Your account has been deleted."))
        return HttpResponseRedirect("/")


RESENDS_PER_WINDOW = 1
RESEND_WINDOW_SECONDS = 3 * 60


class ResendVerificationView(View):
    """The verify-email page's button: mail again what sign-up mailed to the address this
    session signed up with (no address comes from the form, so nobody can mail others): the
    confirmation link, or, for an address that already had an account, that notice. The
    answer is the same either way (ACCOUNT_PREVENT_ENUMERATION)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        from allauth.account.adapter import get_adapter
        from allauth.account.models import EmailAddress

        from .adapter import PENDING_ADDRESS_KEY

        back = reverse("account_email_verification_sent")
        email = request.session.get(PENDING_ADDRESS_KEY)
        if not email:
            messages.info(request, gettext("There is no address waiting for confirmation."))
            return HttpResponseRedirect(back)
        wait = counters.wait(
            f"verify-resend:{email.lower()}",
            limit=RESENDS_PER_WINDOW,
            window=RESEND_WINDOW_SECONDS,
        )
        if wait:
            messages.error(
                request,
                gettext("We sent it a moment ago. %(try_again)s")
                % {"try_again": counters.try_again_in(wait)},
            )
            return HttpResponseRedirect(back)
        address = EmailAddress.objects.filter(email__iexact=email, verified=False).first()
        if address is not None:
            address.send_confirmation(request)
        else:
            get_adapter(request).send_account_already_exists_mail(email)
        messages.success(
            request, gettext("We sent the email again to %(email)s.") % {"email": email}
        )
        return HttpResponseRedirect(back)
