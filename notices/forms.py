from django import forms
from django.utils.translation import gettext_lazy as _

from comments.forms import RepeatSafeForm

from .models import MAX_EXPLANATION, Appeal, Notice


class NoticeForm(RepeatSafeForm):
    """A notice of illegal content (DSA article 16): what, where, why, and who sends it, with
    the repeat-safe hidden fields (one notice per drawn form, and a honeypot)."""

    location_url = forms.URLField(
        label=_("Address of the comment"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Each comment's “Report illegal content” link fills this in."),
        error_messages={
            "required": "Give the address of the comment.",
            "invalid": "Enter a full web address, starting with https://.",
        },
    )
    ground = forms.ChoiceField(
        label=_("What kind of law does it break?"), choices=Notice.Ground.choices
    )
    law = forms.CharField(
        label=_("The law or provision, if you know it (optional)"),
        max_length=300,
        required=False,
    )
    explanation = forms.CharField(
        label=_("Why is it illegal?"),
        max_length=MAX_EXPLANATION,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"Be as exact as you can. Up to {MAX_EXPLANATION:,} characters.",
        error_messages={"required": "Explain why you think the comment is illegal."},
    )
    sender_name = forms.CharField(
        label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    sender_email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send your receipt and our decision here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    is_good_faith = forms.BooleanField(
        label=_(
            "I believe in good faith that the information in this notice is accurate and complete."
        ),
        error_messages={"required": "Please confirm the notice is made in good faith."},
    )
    comment = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should we look again?"),
        max_length=MAX_EXPLANATION,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Tell us why the decision is wrong."},
    )


class AppealDecisionForm(forms.ModelForm):
    """The admin's appeal form; refuses the moderator who took the first decision at once,
    so the form is shown again with the reason (the service checks again)."""

    moderator = None

    class Meta:
        model = Appeal
        fields = ["outcome", "decision_note"]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("outcome"):
            self.add_error("outcome", "Choose whether the decision stands or is reversed.")
        statement = self.instance.statement
        if self.moderator is not None and statement.decided_by_id == self.moderator.pk:
            raise forms.ValidationError(
                _("You took the original decision, so another moderator must decide this appeal.")
            )
        return cleaned
