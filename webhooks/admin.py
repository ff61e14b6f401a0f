"""Endpoints (with their delivery log and a "send test event" button) and the deliveries."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments.admin import ReadOnly, ReadOnlyInline

from .models import SUBSCRIBABLE, Delivery, Endpoint
from .services import endpoint_rotate_secret, endpoint_send_test


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=Endpoint._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        choices=SUBSCRIBABLE,
        widget=forms.CheckboxSelectMultiple,
        help_text=Endpoint._meta.get_field("events").help_text,
    )

    class Meta:
        model = Endpoint
        fields = ["name", "url", "events", "is_active"]


DELIVERY_FIELDS = (
    "created_at",
    "event",
    "status",
    "attempts",
    "status_code",
    "duration_ms",
    "error",
    "next_attempt_at",
)


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = DELIVERY_FIELDS
    readonly_fields = fields
    ordering = ["-id"]
    verbose_name_plural = "Delivery log (the latest 50)"


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["name", "url", "event_list", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "previous_secret_expires_at", "created_at"]
    inlines = [DeliveryInline]
    actions = ["send_test_event", "rotate_secret"]
    change_form_template = "admin/webhooks/endpoint/change_form.html"

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "events", "is_active"]
        # A new endpoint's secret is made when it is saved: show it from then on.
        return fields if obj is None else [*fields, *self.readonly_fields]

    @admin.display(description=_("events"))
    def event_list(self, endpoint: Endpoint) -> str:
        return ", ".join(endpoint.events)

    @admin.action(description=_("Send a test event"), permissions=["change"])
    def send_test_event(self, request: HttpRequest, queryset) -> None:
        count = 0
        for endpoint in queryset:
            endpoint_send_test(endpoint=endpoint)
            count += 1
        self.message_user(
            request,
            ngettext(
                "A test event is queued for %(n)d endpoint: its log shows how it went.",
                "A test event is queued for %(n)d endpoints: their logs show how it went.",
                count,
            )
            % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Rotate secret (the old one still signs for 24 hours)"),
        permissions=["change"],
    )
    def rotate_secret(self, request: HttpRequest, queryset) -> None:
        for endpoint in queryset:
            endpoint_rotate_secret(endpoint=endpoint)
        self.message_user(
            request,
            _(
                "New secrets made. Requests carry both signatures for 24 hours: give each receiver "
                "its new secret before then."
            ),
            messages.SUCCESS,
        )

    def get_deleted_objects(self, objs, request):
        """An endpoint's delivery log goes with it, though nobody deletes deliveries alone."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Delivery._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra = [
            path(
                "<path:object_id>/send-test/",
                self.admin_site.admin_view(self.send_test_view),
                name="{}_{}_send_test".format(*info),
            )
        ]
        return extra + super().get_urls()

    def send_test_view(self, request: HttpRequest, object_id: str):
        """The change form's "Send test event" button (a POST: it sends something)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        endpoint = self.get_object(request, unquote(object_id))
        if endpoint is None or not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        endpoint_send_test(endpoint=endpoint)
        self.message_user(
            request,
            _(
                "A test event is queued: the delivery log below shows how it went "
                "(reload the page)."
            ),
            messages.SUCCESS,
        )
        info = self.model._meta.app_label, self.model._meta.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[endpoint.pk]))


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "endpoint", "event", "status", "attempts", "status_code"]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    fields = ["endpoint", *DELIVERY_FIELDS, "attempted_at", "body_sent"]
    readonly_fields = fields

    @admin.display(description=_("body"))
    def body_sent(self, delivery: Delivery) -> str:
        return delivery.body().decode()
