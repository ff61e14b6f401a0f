from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import validate_display_name

DISPLAY_NAME_MAX_LENGTH = User._meta.get_field("display_name").max_length
DISPLAY_NAME_HELP = _("Shown beside your comments. You can change it later.")


def _display_name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=DISPLAY_NAME_HELP,
        validators=[validate_display_name],
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form plus the display name every commenter needs.

    The adapter copies the name onto the new user (see AccountAdapter.save_user).
    """

    display_name = _display_name_field()
    field_order = ["email", "display_name", "password1", "password2"]

    def try_save(self, request: HttpRequest):
        """Hash the password for an address already registered too, then answer as allauth does.

        A new account costs one password hash (set_password in the adapter's save_user); the
        already-registered path only sends a mail. Without the same hash here, the time the
        answer takes tells anyone which addresses have accounts, whatever the page says.
        """
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1") or None)
        return super().try_save(request)


class ProfileForm(forms.ModelForm):
    """The reader's name and, per kind of mail, when it reaches them.

    A mail setting missing from the POST keeps its stored value (an older form, a script that
    only renames), rather than failing or silently turning mail off.
    """

    display_name = _display_name_field()
    MAIL_FIELDS = ("reply_mail", "staff_reply_mail", "followed_mail")

    class Meta:
        model = User
        fields = [
            "display_name",
            "reply_mail",
            "staff_reply_mail",
            "followed_mail",
            "notify_on_pick",
        ]
        labels = {
            "reply_mail": _("Email me when someone replies to my comment"),
            "staff_reply_mail": _("Email me when the newsroom replies to my comment"),
            "followed_mail": _("Email me about new comments in threads I follow"),
            "notify_on_pick": _("Email me when my comment becomes an editors’ pick"),  # noqa: RUF001
        }
        help_texts = dict.fromkeys(fields[1:], "")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.MAIL_FIELDS:
            self.fields[name].required = False

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in self.MAIL_FIELDS:
            if not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class DeleteAccountForm(forms.Form):
    """Deleting an account is final, so the reader proves it is them and says what happens
    to their comments."""

    KEEP = "keep"
    ERASE = "erase"

    comments = forms.ChoiceField(
        label=_("What should happen to your comments?"),
        choices=[
            (KEEP, "Keep them, shown as written by a “deleted user”"),
            (ERASE, "Erase them (their text is removed from the site; replies to them stay)"),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            # Readers who only ever used social login have no password: they type their address.
            self.fields["password"] = forms.EmailField(
                label=_("Your email address"),
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            )

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        if self.user.has_usable_password():
            if not self.user.check_password(value):
                raise forms.ValidationError(_("That password is not correct."), code="password")
        elif value.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(_("That is not your email address."), code="email")
        return value

    @property
    def erase_comments(self) -> bool:
        return self.cleaned_data["comments"] == self.ERASE
