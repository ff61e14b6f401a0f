"""The notice queue, the append-only decision record, statements with their exports, appeals
and the community guidelines.

Nothing here writes a notice's state, a decision or an appeal itself: each goes through
notices/services.py. Decisions and statements cannot be changed or deleted by anyone,
superusers included; a notice's page is its decision form.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments.admin import ReadOnly, ReadOnlyInline

from . import export, services
from .forms import AppealDecisionForm
from .models import Appeal, CommunityGuidelines, Notice, NoticeDecision, StatementOfReasons


class DecideMixin:
    """Who may act in the queue: those allowed to add decisions (services check it again)."""

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return services.can_decide(request.user)


class NoticeDecisionInline(admin.StackedInline):
    """Earlier decisions read-only; one blank decision form while the notice is open."""

    model = NoticeDecision
    fields = ["outcome", "ground", "explanation", "decided_by", "decided_at"]
    readonly_fields = ["decided_by", "decided_at"]
    extra = 1
    max_num = 1
    can_delete = False

    def get_max_num(self, request, obj=None, **kwargs) -> int:
        # Existing decisions count towards max_num: allow exactly one more while open.
        done = obj.decisions.count() if obj is not None else 0
        return done + (1 if obj is not None and obj.is_open else 0)

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return 1 if obj is not None and obj.is_open else 0

    def has_add_permission(self, request, obj=None) -> bool:
        return obj is not None and obj.is_open and services.can_decide(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StatementInline(ReadOnlyInline):
    model = StatementOfReasons
    fields = ["puid", "restriction", "decision_ground", "recipient", "created_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Notice)
class NoticeAdmin(DecideMixin, admin.ModelAdmin):
    list_display = ["reference", "state", "received_at", "comment_link", "ground", "sender_email"]
    list_filter = ["state", "ground", ("received_at", admin.DateFieldListFilter)]
    search_fields = ["reference", "sender_email", "comment_text"]
    date_hierarchy = "received_at"
    list_select_related = ["comment"]
    actions = ["start_review", "mark_void"]
    inlines = [NoticeDecisionInline, StatementInline]
    fieldsets = [
        (
            None,
            {"fields": ["reference", "state", "received_at", "review_started_at", "decided_at"]},
        ),
        (
            "What is reported",
            {"fields": ["comment", "comment_url", "comment_text", "location_url"]},
        ),
        ("The sender's grounds", {"fields": ["ground", "law", "explanation", "is_good_faith"]}),
        ("Sender", {"fields": ["sender_name", "sender_email", "void_reason"]}),
    ]
    readonly_fields = [
        "reference",
        "state",
        "received_at",
        "review_started_at",
        "decided_at",
        "comment",
        "comment_url",
        "comment_text",
        "location_url",
        "ground",
        "law",
        "explanation",
        "is_good_faith",
        "sender_name",
        "sender_email",
        "void_reason",
    ]

    @admin.display(description=_("comment"), ordering="comment")
    def comment_link(self, notice: Notice) -> str:
        if notice.comment_id is None:
            return f"(deleted) {Truncator(notice.comment_text).chars(60)}"
        return Truncator(notice.comment_text).chars(60)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # notices come from the public form

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Every field is read-only: "changing" a notice means adding a decision to it.
        return services.can_decide(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        pass  # the notice's own fields only change through the services

    def save_formset(self, request, form, formset, change) -> None:
        # What formset.save() would set; the change message reads them.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not NoticeDecision:
            return
        for decision_form in formset.forms:
            if decision_form.instance.pk is not None or not decision_form.has_changed():
                continue
            data = decision_form.cleaned_data
            try:
                services.notice_decide(
                    notice=form.instance,
                    moderator=request.user,
                    outcome=data["outcome"],
                    ground=data.get("ground", ""),
                    explanation=data["explanation"],
                )
            except services.NoticeError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("The decision is recorded and the sender told."))

    @admin.action(description=_("Start review of the selected notices"), permissions=["decide"])
    def start_review(self, request: HttpRequest, queryset) -> None:
        started = 0
        for notice in queryset.open():
            try:
                services.notice_start_review(notice=notice, moderator=request.user)
            except services.NoticeError:
                continue
            started += 1
        self.message_user(
            request,
            ngettext("%d notice under review.", "%d notices under review.", started) % started,
        )

    @admin.action(description=_("Mark as void (spam)"), permissions=["decide"])
    def mark_void(self, request: HttpRequest, queryset) -> None:
        count = services.notice_void(notices=queryset, moderator=request.user)
        self.message_user(
            request, ngettext("%d notice set aside.", "%d notices set aside.", count) % count
        )


@admin.register(NoticeDecision)
class NoticeDecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["notice", "outcome", "ground", "decided_by", "decided_at"]
    list_filter = ["outcome"]
    search_fields = ["notice__reference"]
    list_select_related = ["notice", "decided_by"]
    date_hierarchy = "decided_at"


@admin.register(StatementOfReasons)
class StatementOfReasonsAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "puid",
        "restriction",
        "decision_ground",
        "source_type",
        "automated_decision",
        "created_at",
    ]
    list_filter = ["restriction", "decision_ground", "source_type", "automated_decision"]
    search_fields = ["puid", "notice__reference"]
    date_hierarchy = "created_at"
    list_select_related = ["notice"]
    actions = ["export_csv", "export_jsonl"]
    readonly_fields = [
        "puid",
        "restriction",
        "scope",
        "decision_ground",
        "legal_ground",
        "terms_ground",
        "explanation",
        "facts",
        "category",
        "is_automated_detection",
        "automated_decision",
        "source_type",
        "notice",
        "comment",
        "comment_url",
        "comment_excerpt",
        "recipient",
        "decided_by",
        "moderation_action",
        "content_date",
        "created_at",
    ]
    fields = readonly_fields

    def _export(self, queryset, format: str) -> HttpResponse:
        response = HttpResponse(content_type=export.CONTENT_TYPES[format])
        filename = f"statements-of-reasons-{timezone.now():%Y-%m-%d}.{format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        export.WRITERS[format](queryset.order_by("created_at", "id"), response)
        return response

    @admin.action(description=_("Export as CSV (DSA Transparency Database)"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset) -> HttpResponse:
        return self._export(queryset, "csv")

    @admin.action(
        description=_("Export as JSON lines (DSA Transparency Database)"), permissions=["view"]
    )
    def export_jsonl(self, request: HttpRequest, queryset) -> HttpResponse:
        return self._export(queryset, "jsonl")


@admin.register(Appeal)
class AppealAdmin(DecideMixin, admin.ModelAdmin):
    list_display = ["statement", "created_at", "outcome", "decided_by", "decided_at"]
    list_filter = ["outcome", ("decided_at", admin.EmptyFieldListFilter)]
    search_fields = ["statement__puid"]
    list_select_related = ["statement", "decided_by"]
    form = AppealDecisionForm

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        shown = ["statement_summary", "reason", "created_at", "decided_by", "decided_at"]
        if obj is not None and obj.is_decided:
            shown += ["outcome", "decision_note"]
        return shown

    def get_fields(self, request, obj=None) -> list[str]:
        return [
            "statement_summary",
            "reason",
            "created_at",
            "outcome",
            "decision_note",
            "decided_by",
            "decided_at",
        ]

    @admin.display(description=_("statement"))
    def statement_summary(self, appeal: Appeal) -> str:
        statement = appeal.statement
        decided_by = statement.decided_by.public_name if statement.decided_by else "automatic"
        return (
            f"{statement.get_restriction_display()} on {statement.created_at:%d %b %Y} "
            f"(decided by {decided_by}): {Truncator(statement.explanation).chars(200)}"
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"moderator": request.user})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # authors appeal from their statement's page

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.is_decided:
            return False
        return services.can_decide(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request, obj: Appeal, form, change) -> None:
        try:
            services.appeal_decide(
                appeal=obj,
                moderator=request.user,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data.get("decision_note", ""),
            )
        except services.NoticeError as error:
            self.message_user(request, error.message, messages.ERROR)


@admin.register(CommunityGuidelines)
class CommunityGuidelinesAdmin(admin.ModelAdmin):
    list_display = ["title", "updated_at"]
    fields = ["title", "body"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not CommunityGuidelines.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
