"""allauth behaviour for newsite, changed in adapter subclasses as allauth intends."""

from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext

from comments.ratelimit import try_again_in
from newsite.tasks import enqueue_email

from .forms import DISPLAY_NAME_MAX_LENGTH
from .models import User
from .ratelimits import longest_wait
from .validators import strip_hidden_characters

# Session keys: the address waiting for confirmation, and the page to go back to afterwards.
PENDING_ADDRESS_KEY = "verify_email_address"
RETURN_TO_KEY = "verify_email_next"


def remember_pending_address(request: HttpRequest | None, email: str) -> None:
    """Keep, in the reader's session, which address waits for confirmation and where they
    were going: the verify-email page offers a resend button and a way back."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[PENDING_ADDRESS_KEY] = email
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[RETURN_TO_KEY] = next_url


def user_display(user: User) -> str:
    """allauth shows this name in its messages ("Successfully signed in as …")."""
    return user.public_name


def site_url(path: str) -> str:
    """An absolute address on the configured site (DJANGO_SITE_URL), never on the request's
    host: a Host header (its port, say) is the requester's to choose, a mailed link is not."""
    return f"{settings.SITE_URL}{path}"


class AccountAdapter(DefaultAccountAdapter):
    """Every link allauth mails is built on SITE_URL: confirmation, password reset, sign-up."""

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        # Signed in on the way back to a discussion: say so beside the comment form there
        # (comments.discussion.BESIDE), not at the top of a page scrolled to the thread.
        going_to = request.POST.get("next") or request.GET.get("next") or ""
        if message_template == "account/messages/logged_in.txt" and going_to.endswith("#comments"):
            extra_tags = f"{extra_tags} beside".strip()
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    @property
    def error_messages(self) -> dict:
        # allauth says "Try again later"; the reader is told how long (the login_failed window).
        wait = longest_wait(("login_failed",))
        return {
            **super().error_messages,
            "too_many_login_attempts": gettext("Too many failed login attempts. %(try_again)s")
            % {"try_again": try_again_in(wait)},
        }

    def get_email_confirmation_url(self, request: HttpRequest | None, emailconfirmation) -> str:
        return site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        # As allauth builds it: the opaque key stands in for both URL parts.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_url(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email: str) -> None:
        context = {
            "signup_url": site_url(reverse("account_signup")),
            "password_reset_url": site_url(reverse("account_reset_password")),
        }
        self.send_mail("account/email/account_already_exists", email, context)
        # The same verify-email page as a new account gets, resend button included: the page
        # must not tell anyone whether the address already has an account.
        remember_pending_address(allauth_context.request, email)

    def send_confirmation_mail(self, request: HttpRequest, emailconfirmation, signup: bool) -> None:
        super().send_confirmation_mail(request, emailconfirmation, signup)
        remember_pending_address(request, emailconfirmation.email_address.email)

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        display_name = form.cleaned_data.get("display_name")
        if display_name:
            user.display_name = display_name.strip()
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's send_mail, but sent by the task worker: rendered here, with the request."""
        # allauth's flows build signup_url from the request (the unknown-account mail of a
        # password reset); every other link arrives through the methods above.
        if "signup_url" in context:
            context = {**context, "signup_url": site_url(reverse("account_signup"))}
        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        enqueue_email(self.render_mail(template_prefix, email, ctx))


class SocialAppNotConfigured(SocialApp.DoesNotExist, Http404):
    """Still a DoesNotExist for allauth's own callers, but a 404 (not a 500) when someone
    opens the login URL of a provider no editor has configured."""


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_app(self, request: HttpRequest, provider, client_id=None) -> SocialApp:
        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise SocialAppNotConfigured(
                gettext("%(provider)s login is not configured.") % {"provider": provider}
            ) from None

    def populate_user(self, request: HttpRequest, sociallogin, data) -> User:
        """Start a social reader with the name their provider gives, cut to our limit."""
        user = super().populate_user(request, sociallogin, data)
        name = strip_hidden_characters(data.get("name") or data.get("username") or "").strip()
        if name:
            user.display_name = name[:DISPLAY_NAME_MAX_LENGTH]
        return user
