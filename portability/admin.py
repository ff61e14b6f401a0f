"""Imports and exports in the admin: upload an export (imported by the task worker, with its
progress and report shown here), and download the site's comments."""

import tempfile

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponseRedirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .exporters import export_comments
from .models import ImportedIdentity, ImportRun
from .services import import_run_create

EXPORT_FORMATS = {"jsonl": ("application/x-ndjson", "jsonl"), "disqus": ("application/xml", "xml")}


class ImportRunForm(forms.ModelForm):
    site_url = forms.URLField(
        required=False,
        assume_scheme="https",
        help_text=ImportRun._meta.get_field("site_url").help_text,
    )

    class Meta:
        model = ImportRun
        fields = ["file", "format", "url_map", "site_url", "is_dry_run"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    form = ImportRunForm
    list_display = [
        "__str__",
        "format",
        "state",
        "progress",
        "is_dry_run",
        "created_by",
        "created_at",
    ]
    list_filter = ["state", "format", "is_dry_run"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "state",
        "progress",
        "report_lines",
        "created_by",
        "created_at",
        "finished_at",
    ]
    change_list_template = "admin/portability/importrun/change_list.html"
    view_on_site = False  # its address is this admin page

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["file", "format", "url_map", "site_url", "is_dry_run"]
        return [
            "format",
            "file",
            "is_dry_run",
            "state",
            "progress",
            "report_lines",
            "created_by",
            "created_at",
            "finished_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # a run is a record: what was uploaded and what happened

    @admin.display(description=_("Report"))
    def report_lines(self, obj: ImportRun) -> str:
        lines = obj.report.get("lines") or []
        if not lines:
            return "Waiting for the task worker." if obj.state == ImportRun.State.QUEUED else "—"
        return format_html_join("\n", "<p>{}</p>", ((line,) for line in lines))

    def save_model(self, request, obj, form, change) -> None:
        run = import_run_create(
            file=form.cleaned_data["file"],
            format=form.cleaned_data["format"],
            url_map=form.cleaned_data.get("url_map"),
            site_url=form.cleaned_data.get("site_url", ""),
            is_dry_run=form.cleaned_data.get("is_dry_run", False),
            created_by=request.user,
        )
        obj.pk = run.pk

    def response_add(self, request, obj, post_url_continue=None):
        """To the run's own page, where its progress and report appear."""
        self.message_user(request, _("Uploaded: the task worker imports it; this page shows how."))
        return HttpResponseRedirect(obj.get_absolute_url())

    def get_urls(self):
        opts = self.model._meta
        extra = [
            path(
                "export/<str:format>/",
                self.admin_site.admin_view(self.export_view),
                name=f"{opts.app_label}_{opts.model_name}_export",
            )
        ]
        return extra + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        context = {
            "can_export": request.user.has_perm("portability.export_comments"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def export_view(self, request: HttpRequest, format: str):
        """Every comment as a download, written to a temporary file (flat memory)."""
        if not request.user.has_perm("portability.export_comments"):
            raise PermissionDenied
        if format not in EXPORT_FORMATS:
            raise PermissionDenied
        content_type, extension = EXPORT_FORMATS[format]
        file = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115 - FileResponse closes it
        with open(file.fileno(), "w", encoding="utf-8", closefd=False) as text:
            export_comments(text, format=format)
        file.seek(0)
        name = f"comments-{timezone.now():%Y%m%d-%H%M}.{extension}"
        return FileResponse(file, as_attachment=True, filename=name, content_type=content_type)


@admin.register(ImportedIdentity)
class ImportedIdentityAdmin(admin.ModelAdmin):
    """Who wrote imported comments; addresses are personal data, shown to staff only."""

    list_display = ["name", "source", "is_claimed", "created_at"]
    list_filter = ["source", ("claimed_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email"]
    readonly_fields = ["source", "key", "name", "email", "user", "claimed_at", "created_at"]

    @admin.display(boolean=True, description=_("claimed"))
    def is_claimed(self, obj: ImportedIdentity) -> bool:
        return obj.is_claimed

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
