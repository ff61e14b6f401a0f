"""allauth behaviour for newsite, changed in adapter subclasses as allauth intends."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.contrib.sites.shortcuts import get_current_site
from django.http import Http404, HttpRequest

from newsite.tasks import enqueue_email

from .forms import DISPLAY_NAME_MAX_LENGTH
from .models import User
from .validators import strip_hidden_characters


def user_display(user: User) -> str:
    """allauth shows this name in its messages ("Successfully signed in as …")."""
    return user.public_name


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        display_name = form.cleaned_data.get("display_name")
        if display_name:
            user.display_name = display_name.strip()
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's send_mail, but sent by the task worker: rendered here, with the request."""
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
            raise SocialAppNotConfigured(f"{provider} sign-in is not configured.") from None

    def populate_user(self, request: HttpRequest, sociallogin, data) -> User:
        """Start a social reader with the name their provider gives, cut to our limit."""
        user = super().populate_user(request, sociallogin, data)
        name = strip_hidden_characters(data.get("name") or data.get("username") or "").strip()
        if name:
            user.display_name = name[:DISPLAY_NAME_MAX_LENGTH]
        return user
