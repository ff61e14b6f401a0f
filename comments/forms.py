from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CommentReport


class RepeatSafeForm(forms.Form):
    """The hidden fields of a public form that is safe to submit twice (comments, notices).

    `client_token` is minted when the form is drawn, so a double click or a re-POST of the same
    form makes one record; `website` is a honeypot that people never see or fill in.
    """

    client_token = forms.RegexField(
        regex=r"^[A-Za-z0-9-]{0,64}$", required=False, widget=forms.HiddenInput
    )
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class CommentForm(RepeatSafeForm):
    """A comment's body (and the comment it answers), with the repeat-safe hidden fields."""

    body = forms.CharField(
        label=_("Your comment"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Please write something before posting."},
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Shown only on a reply to a comment from the fediverse (federation/answers.py).
    send_to_fediverse = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, form_id: str = "new", **kwargs) -> None:
        kwargs.setdefault("auto_id", f"id_{form_id}_%s")
        super().__init__(*args, **kwargs)
        self.form_id = form_id
        self.fields["body"].widget.attrs["aria-describedby"] = f"comment-help-{form_id}"
        # The box stays compact while this shows (the :placeholder-shown rules in site.css).
        self.fields["body"].widget.attrs["placeholder"] = _("Join the discussion…")


class CommentEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "aria-describedby": "comment-help-edit"}),
        error_messages={"required": "Please write something, or delete the comment instead."},
    )


class CommentReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why should a moderator look at this comment?"),
        choices=CommentReport.Reason.choices,
        widget=forms.RadioSelect,
    )
    detail = forms.CharField(
        label=_("Anything else a moderator should know (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
