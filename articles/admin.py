"""The editors' article screens: list, edit, publishing actions, history and seed upload.

Every write goes through articles.services, inside a reversion revision (VersionAdmin opens one
for the add, change and changelist views) so each change keeps a version with who and when.
"""

import difflib
from collections.abc import Iterable

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from reversion.admin import VersionAdmin
from reversion.models import Version

from .images import validate_lead_image
from .models import Article, ArticleAuthor, Author, Source, Tag
from .services import (
    ImportReport,
    Outcome,
    article_publish,
    article_set_comments_open,
    article_set_discussion,
    article_unpublish,
    import_seed_uploads,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "url")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    # Django 6 makes https the default scheme; say so now (and silence the deprecation).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    """Bylines: a staff account's public name, page address and bio. Editors pick authors on
    an article from these (autocomplete)."""

    list_display = ("name", "slug", "user")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("user",)
    list_select_related = ("user",)

    def get_readonly_fields(self, request, obj=None):
        # Which account writes as an author is a superuser's call (editors cannot see accounts).
        return () if request.user.is_superuser else ("user",)


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    autocomplete_fields = ("author",)
    fields = ("author", "position")
    extra = 0
    verbose_name = "author"
    verbose_name_plural = "Byline"


_KEEP, _ON, _OFF = "", "on", "off"


class DiscussionSettingsForm(forms.Form):
    """What the "Change discussion settings" action sets on every selected article; each
    setting left at "keep" stays as it is on each."""

    SWITCH = [(_KEEP, _("Keep as it is")), (_ON, _("On")), (_OFF, _("Off"))]
    is_premoderated = forms.ChoiceField(
        label=_("Pre-moderate every comment"), choices=SWITCH, required=False
    )
    is_link_hold = forms.ChoiceField(
        label=_("Hold comments with links"), choices=SWITCH, required=False
    )
    is_qa = forms.ChoiceField(label=_("Q&A mode"), choices=SWITCH, required=False)
    close = forms.ChoiceField(
        label=_("Closing time"),
        choices=[
            (_KEEP, _("Keep as it is")),
            (_ON, _("Close at the time below")),
            (_OFF, _("No closing time")),
        ],
        required=False,
    )
    comments_close_at = forms.DateTimeField(
        label=_("Close comments at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In the site's time zone."),
    )
    change_texts = forms.BooleanField(
        label=_("Replace the prompt and the closed message with these (empty removes them)"),
        required=False,
    )
    comment_prompt = forms.CharField(
        label=_("Prompt above the comment box"),
        max_length=Article._meta.get_field("comment_prompt").max_length,
        required=False,
    )
    comments_closed_message = forms.CharField(
        label=_("Message once closed"),
        max_length=Article._meta.get_field("comments_closed_message").max_length,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("close") == _ON and not data.get("comments_close_at"):
            self.add_error("comments_close_at", "Give the time comments close.")
        return data

    def changes(self) -> dict:
        """The settings to write, as article_set_discussion takes them."""
        data, changes = self.cleaned_data, {}
        for name in ("is_premoderated", "is_link_hold", "is_qa"):
            if data[name] != _KEEP:
                changes[name] = data[name] == _ON
        if data["close"] != _KEEP:
            changes["comments_close_at"] = (
                data["comments_close_at"] if data["close"] == _ON else None
            )
        if data["change_texts"]:
            changes["comment_prompt"] = data["comment_prompt"]
            changes["comments_closed_message"] = data["comments_closed_message"]
        return changes


class ArticleAdminForm(forms.ModelForm):
    def clean_lead_image(self):
        """A new upload within the byte and pixel caps (the model only stores the name)."""
        image = self.cleaned_data.get("lead_image")
        if isinstance(image, UploadedFile):
            validate_lead_image(image)
        return image

    class Meta:
        model = Article
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "class": "newsroom-summary"}),
            "body": forms.Textarea(
                attrs={"rows": 26, "class": "newsroom-body-editor", "spellcheck": "true"}
            ),
        }
        help_texts = {
            "body": (
                "Markdown: leave a blank line between paragraphs; **bold**, *italic*, "
                "[link text](https://example.com), “> ” for a quotation, “- ” for a list item. "
                "Press “Preview” to see it as readers will, before saving."
            ),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "published_at" in self.fields:
            # One date format across the newsroom, and the zone the times are read in.
            self.fields["published_at"].help_text = gettext(
                "Day and time in %(zone)s. A time in the future schedules the article."
            ) % {"zone": timezone.get_current_timezone_name()}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented pattern for one <input type=file multiple>."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,.md,.markdown"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class SeedUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Seed files"),
        help_text=_("One or more .txt (scraped) or .md (front matter) files, as for load_seeds."),
    )
    force = forms.BooleanField(
        required=False,
        label=_("Overwrite articles an editor changed since their import"),
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        names = [f.name for f in files]
        if duplicates := sorted({n for n in names if names.count(n) > 1}):
            raise forms.ValidationError(
                gettext("Each file once, please: %(files)s") % {"files": ", ".join(duplicates)}
            )
        return files


class PublicationFilter(admin.SimpleListFilter):
    """What readers can see now, which the raw status alone does not say for scheduled ones."""

    title = "visibility"
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [("live", "Live now"), ("scheduled", "Scheduled"), ("draft", "Draft")]

    def queryset(self, request, queryset):
        published = Article.Status.PUBLISHED
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.filter(status=published, published_at__gt=timezone.now())
        if self.value() == "draft":
            return queryset.filter(status=Article.Status.DRAFT)
        return queryset


def ensure_version(article: Article, *, user, comment: str) -> None:
    """Keep the current state as a version if reversion has none yet (e.g. seed imports).

    Runs outside any open revision: inside one, the save that follows would replace it.
    """
    if not Version.objects.get_for_object(article).exists():
        with reversion.create_revision():
            reversion.set_user(user)
            reversion.set_comment(comment)
            reversion.add_to_revision(article)


def _keep_before_delete(articles: Iterable[Article], *, user) -> None:
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment("Deleted.")
        for article in articles:
            reversion.add_to_revision(article)


class _RollBack(Exception):
    """Undoes a preview's writes (ArticleAdmin.form_preview_view)."""


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    list_display = (
        "title",
        "visibility",
        "published_at",
        "tag_names",
        "source_names",
        "comment_count",
        "comments_open",
        "discussion",
    )
    list_filter = (
        PublicationFilter,
        "status",
        "comments_open",
        "is_premoderated",
        "is_qa",
        "tags",
        "sources",
        "authors",
        "published_at",
    )
    search_fields = ("title", "summary", "slug")
    date_hierarchy = "published_at"
    list_per_page = 50
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("tags", "sources")
    readonly_fields = (
        "lead_image_preview",
        "comment_count",
        "seed_file",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "language", "summary", "body")}),
        (
            _("Lead image"),
            {
                "fields": (
                    "lead_image",
                    "lead_image_preview",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                )
            },
        ),
        ("Publishing", {"fields": ("status", "published_at", "comments_open")}),
        (
            "Discussion",
            {
                "description": "For sensitive stories. Readers see these above the comment box.",
                "fields": (
                    "is_premoderated",
                    "is_link_hold",
                    "is_qa",
                    "comment_prompt",
                    "comments_close_at",
                    "comments_closed_message",
                ),
            },
        ),
        ("Topics", {"fields": ("tags", "sources")}),
        (
            "Record",
            {
                "classes": ("collapse",),
                "fields": ("comment_count", "seed_file", "created_at", "updated_at"),
            },
        ),
    )
    inlines = (ArticleAuthorInline,)
    actions = ("publish", "unpublish", "close_comments", "reopen_comments", "set_discussion")
    change_list_template = "admin/articles/article/change_list.html"
    change_form_template = "admin/articles/article/change_form.html"
    object_history_template = "admin/articles/article/object_history.html"
    history_latest_first = True

    class Media:
        css = {"all": ("css/newsroom-admin.css",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # The list shows every article's tags and sources: two prefetch queries, not 2 per row.
        return super().get_queryset(request).prefetch_related("tags", "sources")

    # --- columns -----------------------------------------------------------------------------

    @admin.display(description=_("Status"), ordering="status")
    def visibility(self, obj: Article) -> str:
        if obj.status == Article.Status.PUBLISHED and not obj.is_published:
            return "Scheduled"
        return obj.get_status_display()

    @admin.display(description=_("Discussion"))
    def discussion(self, obj: Article) -> str:
        settings = [
            label
            for label, on in (
                ("pre-moderated", obj.is_premoderated),
                ("links held", obj.is_link_hold),
                ("Q&A", obj.is_qa),
                ("closes at a set time", obj.comments_close_at is not None),
            )
            if on
        ]
        return ", ".join(settings) or "—"

    @admin.display(description=_("Preview"))
    def lead_image_preview(self, obj: Article) -> str:
        """The smallest rendition once the worker has made it; the original until then."""
        if not obj.lead_image:
            return _("No image yet.")
        if obj.lead_image_ready:
            width = obj.lead_image_renditions["widths"][0]
            url = obj.lead_image.storage.url(obj.lead_image_renditions["jpeg"][str(width)])
            note = ""
        else:
            url, note = obj.lead_image.url, _("Smaller copies are being made.")
        width, height = obj.lead_image_width or 1, obj.lead_image_height or 1
        return format_html(
            '<img src="{}" alt="{}" width="240" height="{}" class="lead-image-preview"> {}',
            url,
            obj.lead_image_alt,
            round(240 * height / width),
            note,
        )

    @admin.display(description=_("Tags"))
    def tag_names(self, obj: Article) -> str:
        return ", ".join(tag.name for tag in obj.tags.all())

    @admin.display(description=_("Sources"))
    def source_names(self, obj: Article) -> str:
        return ", ".join(source.name for source in obj.sources.all())

    def view_on_site(self, obj: Article) -> str:
        """Readers' page once it is live; until then the staff-only preview."""
        if obj.is_published:
            return obj.get_absolute_url()
        return reverse("articles:preview", kwargs={"slug": obj.slug})

    # --- publishing actions (each article through its service, in the changelist revision) ---

    def _apply(self, request, queryset, service, done: str, comment: str) -> None:
        reversion.set_comment(comment)
        count = 0
        for article in queryset:
            service(article)
            count += 1
        self.message_user(
            request,
            ngettext("%(n)d article %(done)s.", "%(n)d articles %(done)s.", count)
            % {"n": count, "done": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Publish selected articles (scheduled ones keep their time)"))
    def publish(self, request, queryset):
        self._apply(
            request, queryset, lambda a: article_publish(article=a), "published", "Published."
        )

    @admin.action(description=_("Unpublish selected articles (back to draft)"))
    def unpublish(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda a: article_unpublish(article=a),
            "unpublished",
            "Unpublished.",
        )

    @admin.action(description=_("Close comments on selected articles"))
    def close_comments(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda a: article_set_comments_open(article=a, is_open=False),
            "closed to comments",
            "Comments closed.",
        )

    @admin.action(description=_("Reopen comments on selected articles"))
    def reopen_comments(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda a: article_set_comments_open(article=a, is_open=True),
            "reopened to comments",
            "Comments reopened.",
        )

    @admin.action(description=_("Change discussion settings of selected articles…"))
    def set_discussion(self, request, queryset):
        """An intermediate page (as Django's delete confirmation): the settings to set, then
        each article through article_set_discussion."""
        if "apply" in request.POST:
            form = DiscussionSettingsForm(request.POST)
            if form.is_valid():
                changes = form.changes()
                if not changes:
                    self.message_user(request, _("Nothing to change."), messages.WARNING)
                    return None
                self._apply(
                    request,
                    queryset,
                    lambda a: article_set_discussion(article=a, **changes),
                    "updated (discussion settings)",
                    "Discussion settings changed.",
                )
                return None
        else:
            form = DiscussionSettingsForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Change discussion settings",
            "form": form,
            "articles": queryset,
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/article/set_discussion.html", context)

    # --- versions: a baseline before the first change, one more before a delete ----------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            article = self.get_object(request, unquote(object_id))
            if article is not None and self.has_change_permission(request, article):
                ensure_version(article, user=request.user, comment="Before the first edit.")
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # VersionAdmin runs actions inside one revision, and a nested revision merges into it
        # (and drops objects deleted by the time it is saved): store versions before it opens.
        action = request.POST.get("action") if request.method == "POST" else None
        if action and self.has_change_permission(request):
            selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
            selected = [pk for pk in selected if pk.isdigit()]
            articles = self.get_queryset(request).filter(pk__in=selected)
            if action == "delete_selected" and request.POST.get("post"):
                if self.has_delete_permission(request):
                    _keep_before_delete(articles, user=request.user)
            elif action in self.actions:
                for article in articles:
                    ensure_version(article, user=request.user, comment="Before a bulk action.")
        return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if request.method == "GET" and article is not None and article.comments.exists():
            self.message_user(
                request,
                _(
                    "This article has a discussion, which a recovered article would not get back, "
                    "so it cannot be deleted here: unpublish it instead."
                ),
                messages.WARNING,
            )
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        """Store the article as it was, so "Recover deleted articles" can bring it back."""
        _keep_before_delete([obj], user=request.user)
        super().delete_model(request, obj)

    # --- extra screens ------------------------------------------------------------------------

    def get_urls(self):
        opts = self.model._meta
        info = opts.app_label, opts.model_name
        extra = [
            path(
                "import-seeds/",
                self.admin_site.admin_view(self.import_seeds_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "preview/",
                self.admin_site.admin_view(self.form_preview_view),
                name="{}_{}_form_preview".format(*info),
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(self.form_preview_view),
                name="{}_{}_form_preview".format(*info),
            ),
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
        ]
        return extra + super().get_urls()

    def history_view(self, request, object_id, extra_context=None):
        versions = Version.objects.get_for_object_reference(
            Article, unquote(object_id)
        ).select_related("revision", "revision__user")
        context = {"versions": versions.order_by("-pk"), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def import_seeds_view(self, request: HttpRequest) -> HttpResponse:
        """Upload seed files and import them exactly as `manage.py load_seeds` would."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        report: ImportReport | None = None
        if request.method == "POST":
            form = SeedUploadForm(request.POST, request.FILES)
            if form.is_valid():
                # New articles land as drafts: an editor checks them, then publishes.
                report = import_seed_uploads(
                    form.cleaned_data["files"],
                    force=form.cleaned_data["force"],
                    status=Article.Status.DRAFT,
                )
                level = messages.WARNING if report.errors else messages.SUCCESS
                summary = gettext("Seed import: %(summary)s.") % {"summary": report.summary}
                self.message_user(request, summary, level)
        else:
            form = SeedUploadForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import seed files",
            "form": form,
            "report": report,
            "outcomes": [
                (outcome, report.outcomes[outcome]) for outcome in Outcome if report is not None
            ],
        }
        return TemplateResponse(request, "admin/articles/article/import_seeds.html", context)

    @method_decorator(never_cache)
    def form_preview_view(self, request: HttpRequest, object_id: str | None = None) -> HttpResponse:
        """The form's "Preview" button: the article with the form's unsaved changes, exactly as
        readers would see it (the public template, tags and sources included).

        The changes are written inside a transaction that is always rolled back once the page
        is rendered, so nothing is saved, published or announced (cache invalidation and
        webhooks wait for a commit that never comes). Staff-only, never cached, noindex.
        """
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id)) if object_id else None
        if object_id and article is None:
            raise Http404
        allowed = (
            self.has_change_permission(request, article)
            if article is not None
            else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        form = self.get_form(request, article, change=article is not None)(
            request.POST, request.FILES, instance=article
        )
        editor_url = (
            reverse("admin:articles_article_change", args=[article.pk])
            if article is not None
            else reverse("admin:articles_article_add")
        )
        context = {"preview": True, "form_preview": True, "editor_url": editor_url}
        if not form.is_valid():
            html = render_to_string(
                "admin/articles/article/form_preview_errors.html",
                {**context, "form": form},
                request=request,
            )
        else:
            try:
                with transaction.atomic():
                    unsaved = form.save()
                    html = render_to_string(
                        "articles/article_detail.html",
                        {
                            **context,
                            "article": Article.objects.prefetch_related("tags", "sources").get(
                                pk=unsaved.pk
                            ),
                        },
                        request=request,
                    )
                    raise _RollBack
            except _RollBack:
                pass
        response = HttpResponse(html)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def compare_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Field-by-field differences between two saved versions of one article."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = Version.objects.get_for_object(article).select_related("revision__user")
        try:
            old = get_object_or_404(versions, pk=int(request.GET.get("from", "")))
            new = get_object_or_404(versions, pk=int(request.GET.get("to", "")))
        except ValueError as exc:
            raise Http404("Choose two versions to compare.") from exc
        if old.pk > new.pk:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": f"Compare versions of “{article}”",
            "old": old,
            "new": new,
            "rows": _version_differences(old, new),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)


def _names(model, pks: Iterable[int] | None) -> str:
    return ", ".join(model.objects.filter(pk__in=pks or []).values_list("name", flat=True))


def _version_differences(old: Version, new: Version) -> list[dict]:
    names = {"tags": Tag, "sources": Source}
    rows = []
    for field in Article._meta.get_fields():
        if not getattr(field, "editable", False) or field.name in {"body_html", "seed_digest"}:
            continue
        before, after = old.field_dict.get(field.name), new.field_dict.get(field.name)
        if field.name in names:
            model = names[field.name]
            before, after = _names(model, before), _names(model, after)
        if before == after:
            continue
        lines = list(
            difflib.unified_diff(
                str(before or "").splitlines(), str(after or "").splitlines(), lineterm="", n=1
            )
        )[2:]
        rows.append(
            {
                "label": field.verbose_name,
                "lines": [(line[:1], line[1:]) for line in lines if not line.startswith("@@")],
            }
        )
    return rows
