"""The moderation queue and the comment rules, for editors and moderators.

Nothing here writes a comment's status itself: every change goes through
comments.services.comment_set_status (which keeps Article.comment_count right and logs a
ModerationAction with who, when and what), and suspensions and bans go through
accounts.services. The change page is a moderation form, not an editor for readers' words.
"""

import datetime
from collections import Counter
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.services import (
    RestrictionError,
    user_ban,
    user_lift_restrictions,
    user_suspend,
)

from . import trust
from .models import (
    Comment,
    CommentReport,
    CommentRevision,
    ModerationAction,
    ModerationSettings,
    TrustChange,
    WatchedWord,
)
from .services import CommentError, comment_set_pinned, comment_set_status

Status = Comment.Status
SUSPENSION_DAYS = 7
CARDS_PER_PAGE = 10

# The cards page's tabs, each a part of Comment.objects.awaiting_decision().
CARD_QUEUES = {
    "pending": (gettext_lazy("Held or hidden"), Q(status__in=[Status.PENDING, Status.HIDDEN])),
    "reported": (gettext_lazy("Reported or suspect"), Q(status=Status.PUBLISHED)),
    "spam": (gettext_lazy("Caught as spam"), Q(status=Status.SPAM)),
    "review": (gettext_lazy("Review requested"), Q(review_requested_at__isnull=False)),
}
# The one-click decisions: (button label, what the message says was done).
DECISIONS = {
    "approve": (gettext_lazy("Approve"), gettext_lazy("approved")),
    "hide": (gettext_lazy("Hide"), gettext_lazy("hidden")),
    "spam": (gettext_lazy("Spam"), gettext_lazy("marked as spam")),
    "ban": (gettext_lazy("Ban"), gettext_lazy("author banned, comment removed")),
}
DECISION_STATUS = {"approve": Status.PUBLISHED, "hide": Status.HIDDEN, "spam": Status.SPAM}


def needs_attention() -> Q:
    """Held, hidden by reports, reported or flagged suspect while still up, or caught as spam."""
    return Q(status__in=[Status.PENDING, Status.HIDDEN, Status.SPAM]) | Q(
        Q(report_count__gt=0) | Q(is_suspect=True), status=Status.PUBLISHED
    )


def queue_priority() -> Case:
    """Order of the queue: waiting for a decision, then reported or suspect, then spam, then
    the rest."""
    return Case(
        When(status__in=[Status.PENDING, Status.HIDDEN], then=Value(0)),
        When(Q(report_count__gt=0) | Q(is_suspect=True), status=Status.PUBLISHED, then=Value(1)),
        When(status=Status.SPAM, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def record_html(record: trust.AuthorRecord, rules: ModerationSettings) -> str:
    """An author's record as a table and their trust history: the change page and the cards."""
    level = TrustChange.Level(record.level).label
    rows = [
        ("Approved comments", record.approved),
        ("Rejected comments (removed, hidden, spam)", record.rejected),
        ("Awaiting moderation", record.held),
        ("Reports made against their comments", record.reports_against),
        (
            "Recent rejections",
            f"{record.recent_rejections} of their last {rules.rejection_window_comments} "
            f"decided comments in {rules.rejection_window_days} days "
            f"(held from {rules.rejection_limit})",
        ),
        ("Trust", f"{level}: {'trusted' if record.is_trusted else 'not trusted'}"),
        *record.extra_rows,
    ]
    table = format_html(
        "<table><tbody>{}</tbody></table>",
        format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', rows),
    )
    if not record.history:
        return format_html("{}<p>Trust never set by hand.</p>", table)
    history = format_html_join(
        "",
        "<li>{}: {} by {} ({})</li>",
        (
            (
                f"{timezone.localtime(change.created_at):%d %B %Y, %H:%M}",
                change.get_level_display(),
                change.moderator.public_name if change.moderator else "a deleted account",
                change.note,
            )
            for change in record.history
        ),
    )
    return format_html("{}<p>Trust history:</p><ul>{}</ul>", table, history)


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("attention", "Needs attention"),
            ("pending", "Awaiting moderation or hidden"),
            ("reported", "Reported"),
            ("suspect", "Suspect (flagged by screening)"),
            ("spam", "Spam"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "attention":
                return queryset.filter(needs_attention())
            case "pending":
                return queryset.pending_review()
            case "reported":
                return queryset.filter(report_count__gt=0)
            case "suspect":
                return queryset.filter(is_suspect=True, status=Status.PUBLISHED)
            case "spam":
                return queryset.filter(status=Status.SPAM)
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """One author's comments; reached from a comment's "other comments by" link.

    Only an author of something in this list is offered, by their public name: moderators
    see what readers see of a person, never an address, and `?author=` with any other id
    (staff, a reader who never commented) names nobody.
    """

    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        value = self.value()
        if value and value.isdigit():
            listed = model_admin.get_queryset(request).filter(**{self.author_field: int(value)})
            author = User.objects.filter(pk=value).first() if listed.exists() else None
            if author is not None:
                return [(str(author.pk), author.public_name)]
        return []

    author_field = "author_id"

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(**{self.author_field: int(value)})
        return queryset


class CommentAuthorFilter(AuthorFilter):
    """Decisions about one author's comments; reached from a comment's author record."""

    title = "comment author"
    author_field = "comment__author_id"


class ReportReasonFilter(admin.SimpleListFilter):
    title = "report reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return CommentReport.Reason.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(reports__reason=self.value()).distinct()
        return queryset


class ReadOnly:
    """For an admin or inline of records nobody adds, changes or deletes through the admin,
    superusers included: logs, and the notices app's append-only decisions."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnly, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class ModerationActionInline(ReadOnlyInline):
    model = ModerationAction
    fields = ("created_at", "action", "is_automated", "moderator", "note")
    readonly_fields = fields
    verbose_name_plural = "Moderation history (who, when, what)"


class CommentReportInline(ReadOnlyInline):
    model = CommentReport
    fields = ("created_at", "reason", "detail", "reporter")
    readonly_fields = fields


class CommentRevisionInline(ReadOnlyInline):
    model = CommentRevision
    fields = ("created_at", "body")
    readonly_fields = fields
    verbose_name_plural = "Earlier wording (edited or deleted by the author)"


class RESTRICT:
    NOTHING = ""
    SUSPEND = "suspend"
    BAN = "ban"
    LIFT = "lift"


class ModerateCommentForm(forms.ModelForm):
    """The comment's change page: a decision and a note, not an editor for the reader's text."""

    new_status = forms.ChoiceField(
        label=_("Decision"),
        required=False,
        choices=[("", "— leave as it is —"), *Status.choices],
        help_text=_("Logged with your name and the time."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("Why (shown to the author for held or hidden comments, kept in the history)."),
    )
    restrict_author = forms.ChoiceField(
        label=_("Author's posting"),
        required=False,
        choices=[
            (RESTRICT.NOTHING, "— no change —"),
            (RESTRICT.SUSPEND, "Suspend until the date below"),
            (RESTRICT.BAN, "Ban (can never post again)"),
            (RESTRICT.LIFT, "Lift suspension or ban"),
        ],
    )
    suspend_until = forms.DateField(
        label=_("Suspended until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=f"The author can post again from this date (default: in {SUSPENSION_DAYS} days).",
    )
    set_trust = forms.ChoiceField(
        label=_("Author's trust"),
        required=False,
        choices=[("", "— no change —"), *TrustChange.Level.choices],
        help_text=_("Logged in the author's record with your name, the time and the reason."),
    )
    trust_note = forms.CharField(
        label=_("Why (trust)"),
        required=False,
        max_length=300,
        help_text=_("Required when you change the author's trust."),
    )

    class Meta:
        model = Comment
        fields = ("is_pinned",)

    def clean(self):
        data = super().clean()
        if data.get("restrict_author") and not (self.instance.author_id):
            raise forms.ValidationError(_("This comment's author has deleted their account."))
        until = data.get("suspend_until")
        if (
            data.get("restrict_author") == RESTRICT.SUSPEND
            and until
            and until <= timezone.localdate()
        ):
            self.add_error("suspend_until", "Choose a date after today.")
        if data.get("set_trust"):
            if not self.instance.author_id:
                self.add_error("set_trust", "This comment's author has deleted their account.")
            elif not (data.get("trust_note") or "").strip():
                self.add_error("trust_note", "Say why you are changing the author's trust.")
        return data


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = ModerateCommentForm
    list_display = (
        "excerpt",
        "article_link",
        "author_link",
        "status",
        "report_count",
        "report_reasons",
        "screening",
        "created_at",
    )
    list_display_links = ("excerpt",)
    list_filter = (
        QueueFilter,
        "status",
        ReportReasonFilter,
        AuthorFilter,
        "is_pinned",
        "created_at",
    )
    # Not by e-mail address: moderators work with public names, and search would confirm one.
    search_fields = ("body", "author__display_name", "article__title")
    list_select_related = ("article", "author")
    list_per_page = 50
    actions = (
        "approve",
        "hide",
        "mark_spam",
        "remove",
        "pin",
        "unpin",
        "suspend_authors",
        "ban_authors",
    )
    readonly_fields = (
        "article_link",
        "author_link",
        "author_standing",
        "status",
        "moderation_reason",
        "is_suspect",
        "screening_score",
        "screening_notes",
        "author_record",
        "body",
        "report_count",
        "like_count",
        "created_at",
        "edited_at",
        "deleted_at",
        "review_requested_at",
        "ip_address",
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "article_link",
                    "author_link",
                    "author_standing",
                    "body",
                    ("status", "moderation_reason"),
                    ("report_count", "like_count"),
                    ("created_at", "edited_at", "deleted_at"),
                    "review_requested_at",
                    "ip_address",
                )
            },
        ),
        (
            "Automatic screening",
            {"fields": (("is_suspect", "screening_score"), "screening_notes")},
        ),
        ("Moderate", {"fields": ("new_status", "note", "is_pinned")}),
        ("Author's record", {"fields": ("author_record",)}),
        ("Author", {"fields": ("restrict_author", "suspend_until", "set_trust", "trust_note")}),
    )
    inlines = (CommentReportInline, ModerationActionInline, CommentRevisionInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        # Annotate before ordering (ModelAdmin.get_queryset would order by a name not there yet);
        # report reasons for the whole page come in one prefetch query.
        reports = CommentReport.objects.only("comment_id", "reason").order_by()
        return (
            Comment.objects.annotate(queue_priority=queue_priority())
            .order_by(*self.get_ordering(request))
            .prefetch_related(Prefetch("reports", queryset=reports, to_attr="report_rows"))
        )

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        # Not the `ordering` attribute: admin checks reject an annotation name there.
        return ("queue_priority", "-created_at", "-id")

    def has_add_permission(self, request, obj=None):
        return False  # readers write comments on the site, through its rules

    def has_delete_permission(self, request, obj=None):
        return False  # "remove" keeps the row and its history; deleting would lose both

    # --- columns ------------------------------------------------------------------------------

    @admin.display(description=_("Comment"))
    def excerpt(self, obj: Comment) -> str:
        return Truncator(" ".join(obj.body.split())).chars(90) or "(empty)"

    @admin.display(description=_("Article"), ordering="article__title")
    def article_link(self, obj: Comment) -> str:
        title = Truncator(obj.article.title).chars(40)
        return format_html(
            '<a href="{}#{}">{}</a>', obj.article.get_absolute_url(), obj.anchor, title
        )

    @admin.display(description=_("Author"), ordering="author__display_name")
    def author_link(self, obj: Comment) -> str:
        if obj.author_id is None:
            return "deleted user"
        url = reverse("admin:comments_comment_changelist") + f"?author={obj.author_id}"
        flag = ""
        if obj.author.is_banned:
            flag = " (banned)"
        elif (
            obj.author.posting_suspended_until
            and obj.author.posting_suspended_until > timezone.now()
        ):
            flag = " (suspended)"
        return format_html(
            '<a href="{}" title="All comments by {}">{}</a>{}',
            url,
            obj.author.public_name,
            obj.author.public_name,
            flag,
        )

    @admin.display(description=_("Report reasons"))
    def report_reasons(self, obj: Comment) -> str:
        rows = getattr(obj, "report_rows", None)
        if rows is None:
            rows = list(obj.reports.all())
        # Labels are lazy translations: str() before joining.
        counts = Counter(str(CommentReport.Reason(r.reason).label) for r in rows)
        return ", ".join(f"{label} ({n})" if n > 1 else label for label, n in counts.most_common())

    @admin.display(description=_("Screening"))
    def screening(self, obj: Comment) -> str:
        """The score and what matched, so the queue shows why screening acted."""
        parts = []
        if obj.is_suspect:
            parts.append("Suspect")
        if obj.screening_notes:
            parts.append(obj.screening_notes)
        elif obj.screening_score is not None:
            parts.append(f"automatic: {obj.screening_score:.2f}")
        return Truncator(" · ".join(parts)).chars(120)

    @admin.display(description=_("Record"))
    def author_record(self, obj: Comment) -> str:
        """Approved, rejected and reported comments, trust and its history (trust.py), and
        rows other apps add (trust.AUTHOR_RECORD_ROWS: notices, statements of reasons)."""
        if obj.author_id is None:
            return "The author deleted their account."
        return record_html(trust.author_record(obj.author), ModerationSettings.load())

    @admin.display(description=_("Author's standing"))
    def author_standing(self, obj: Comment) -> str:
        if obj.author_id is None:
            return "The author deleted their account."
        author = obj.author
        by_status = dict(author.comments.values_list("status").annotate(n=Count("pk")).order_by())
        summary = format_html_join(
            ", ", "{} {}", ((n, Status(s).label.lower()) for s, n in sorted(by_status.items()))
        )
        if author.is_banned:
            standing = "Banned."
        elif author.posting_suspended_until and author.posting_suspended_until > timezone.now():
            until = timezone.localtime(author.posting_suspended_until)
            standing = f"Suspended until {until:%d %B %Y, %H:%M}."
        else:
            standing = "May post."
        url = reverse("admin:comments_comment_changelist") + f"?author={author.pk}"
        log = reverse("admin:comments_moderationaction_changelist") + f"?author={author.pk}"
        return format_html(
            '{} Joined {}. <a href="{}">All {} comments</a>: {}. '
            '<a href="{}">Moderation history of their comments</a>.',
            standing,
            f"{timezone.localtime(author.date_joined):%d %B %Y}",
            url,
            sum(by_status.values()),
            summary,
            log,
        )

    # --- the change page: a decision, a pin, the author's posting ---------------------------

    def save_model(self, request, obj, form, change):
        """Route each decision through its service; never save the comment row directly."""
        data = form.cleaned_data
        try:
            if data.get("new_status"):
                comment_set_status(
                    comment=obj,
                    status=data["new_status"],
                    moderator=request.user,
                    note=data["note"],
                )
            if "is_pinned" in form.changed_data:
                comment_set_pinned(comment=obj, pinned=data["is_pinned"], moderator=request.user)
            if restriction := data.get("restrict_author"):
                self._restrict(request, obj.author, restriction, data.get("suspend_until"))
            if level := data.get("set_trust"):
                trust.trust_set(
                    user=obj.author, level=level, moderator=request.user, note=data["trust_note"]
                )
                self.message_user(
                    request,
                    f"{obj.author.public_name}: trust set to "
                    f"{TrustChange.Level(level).label.split(':')[0].lower()}.",
                    messages.SUCCESS,
                )
        except (CommentError, RestrictionError, ValidationError) as error:
            self.message_user(request, str(error), messages.ERROR)

    def _restrict(self, request, author: User, restriction: str, until_date) -> None:
        if restriction == RESTRICT.SUSPEND:
            day = until_date or timezone.localdate() + datetime.timedelta(days=SUSPENSION_DAYS)
            until = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
            user_suspend(user=author, until=until, moderator=request.user)
            message = f"Suspended from posting until {day:%d %B %Y}."
        elif restriction == RESTRICT.BAN:
            user_ban(user=author, moderator=request.user)
            message = "Banned from posting."
        else:
            user_lift_restrictions(user=author, moderator=request.user)
            message = "Posting restrictions lifted."
        self.log_change(request, author, message)  # the admin's own log: who, when, what
        self.message_user(request, f"{author.public_name}: {message}", messages.SUCCESS)

    # --- the queue as cards: one comment per card, decided in one click -----------------------

    def get_urls(self):
        return [
            path(
                "cards/", self.admin_site.admin_view(self.cards_view), name="comments_comment_cards"
            ),
            path(
                "cards/<int:pk>/decide/",
                self.admin_site.admin_view(require_POST(self.decide_view)),
                name="comments_comment_decide",
            ),
            *super().get_urls(),
        ]

    def cards_view(self, request: HttpRequest) -> HttpResponse:
        """Work still to do (Comment.objects.awaiting_decision), oldest review requests first,
        each card with everything a moderator needs to decide without opening another page."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        queue = request.GET.get("queue", "")
        comments = Comment.objects.awaiting_decision().select_related(
            "article", "author", "parent__author", "reply_to__author"
        )
        if queue in CARD_QUEUES:
            comments = comments.filter(CARD_QUEUES[queue][1])
        else:
            queue = ""
        comments = comments.annotate(queue_priority=queue_priority()).order_by(
            "review_requested_at", "queue_priority", "created_at", "id"
        )
        page = Paginator(comments, CARDS_PER_PAGE).get_page(request.GET.get("page"))
        rules = ModerationSettings.load()
        # One record per author on the page, however many of their comments it shows.
        records = {
            author.pk: trust.author_record(author, rules)
            for author in {c.author for c in page.object_list if c.author_id}
        }
        cards = [
            (
                comment,
                records.get(comment.author_id),
                record_html(records[comment.author_id], rules) if comment.author_id else "",
            )
            for comment in page.object_list
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Moderation queue"),
            "page_obj": page,
            "cards": cards,
            "queue": queue,
            "queues": [(key, label) for key, (label, _q) in CARD_QUEUES.items()],
            "decisions": DECISIONS,
        }
        return TemplateResponse(request, "admin/comments/comment/cards.html", context)

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One card's button: approve, hide, spam or ban, through the services, logged."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("author"), pk=pk)
        decision = request.POST.get("decision", "")
        try:
            if decision == "ban":
                if comment.author_id is None:
                    raise CommentError(gettext("This comment's author has deleted their account."))
                user_ban(user=comment.author, moderator=request.user)
                self.log_change(request, comment.author, "Banned from posting.")
                comment_set_status(
                    comment=comment,
                    status=Status.REMOVED,
                    moderator=request.user,
                    note=gettext("The author was banned from posting."),
                )
            elif decision in DECISIONS:
                comment_set_status(
                    comment=comment, status=DECISION_STATUS[decision], moderator=request.user
                )
            else:
                raise CommentError(gettext("Choose approve, hide, spam or ban."))
        except (CommentError, RestrictionError) as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("%(comment)s: %(done)s.")
                % {"comment": comment, "done": DECISIONS[decision][1]},
                messages.SUCCESS,
            )
        back = reverse("admin:comments_comment_cards")
        query = {k: request.POST[k] for k in ("queue", "page") if request.POST.get(k, "").isalnum()}
        if query:
            back += "?" + urlencode(query)
        return HttpResponseRedirect(back)

    # --- bulk actions: one service call per comment ------------------------------------------

    def _set_status(self, request, queryset, status: str, done: str) -> None:
        changed = failed = 0
        for comment in queryset:
            try:
                comment_set_status(comment=comment, status=status, moderator=request.user)
                changed += 1
            except CommentError as error:
                failed += 1
                self.message_user(request, f"Comment {comment.pk}: {error}", messages.ERROR)
        self.message_user(
            request,
            ngettext("%(n)d comment %(done)s.", "%(n)d comments %(done)s.", changed)
            % {"n": changed, "done": done},
            messages.SUCCESS if not failed else messages.WARNING,
        )

    @admin.action(description=_("Approve (publish) selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED, "approved")

    @admin.action(description=_("Hide selected comments"), permissions=["change"])
    def hide(self, request, queryset):
        self._set_status(request, queryset, Status.HIDDEN, "hidden")

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self._set_status(request, queryset, Status.SPAM, "marked as spam")

    @admin.action(description=_("Remove selected comments"), permissions=["change"])
    def remove(self, request, queryset):
        self._set_status(request, queryset, Status.REMOVED, "removed")

    def _pin(self, request, queryset, pinned: bool) -> None:
        count = 0
        for comment in queryset.filter(is_pinned=not pinned):
            try:
                comment_set_pinned(comment=comment, pinned=pinned, moderator=request.user)
                count += 1
            except CommentError as error:
                self.message_user(request, f"Comment {comment.pk}: {error}", messages.ERROR)
        self.message_user(request, f"{count} comment(s) {'pinned' if pinned else 'unpinned'}.")

    @admin.action(description=_("Pin as editor's pick"), permissions=["change"])
    def pin(self, request, queryset):
        self._pin(request, queryset, True)

    @admin.action(description=_("Unpin"), permissions=["change"])
    def unpin(self, request, queryset):
        self._pin(request, queryset, False)

    def _restrict_authors(self, request, queryset, restriction: str) -> None:
        authors = User.objects.filter(
            pk__in=queryset.exclude(author=None).values("author_id")
        ).order_by("pk")
        for author in authors:
            try:
                self._restrict(request, author, restriction, None)
            except RestrictionError as error:
                self.message_user(request, str(error), messages.ERROR)

    @admin.action(
        description=f"Suspend the authors for {SUSPENSION_DAYS} days", permissions=["change"]
    )
    def suspend_authors(self, request, queryset):
        self._restrict_authors(request, queryset, RESTRICT.SUSPEND)

    @admin.action(description=_("Ban the authors from posting"), permissions=["change"])
    def ban_authors(self, request, queryset):
        self._restrict_authors(request, queryset, RESTRICT.BAN)


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnly, admin.ModelAdmin):
    """The audit log of every moderation decision; read-only."""

    list_display = ("created_at", "action", "moderator", "comment_link", "note")
    list_filter = ("action", CommentAuthorFilter, "created_at")
    list_select_related = ("moderator", "comment")
    search_fields = ("note", "moderator__display_name")
    date_hierarchy = "created_at"

    @admin.display(description=_("Comment"))
    def comment_link(self, obj: ModerationAction) -> str:
        url = reverse("admin:comments_comment_change", args=[obj.comment_id])
        return format_html('<a href="{}">{}</a>', url, Truncator(obj.comment.body).chars(60))


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):
    """Words, phrases and patterns screening acts on; each is checked when saved (the model's
    clean(): a broken or too slow regular expression is refused with the reason)."""

    list_display = ("__str__", "is_regex", "action", "reason", "created_at")
    list_filter = ("action", "is_regex")
    search_fields = ("pattern", "reason")
    fields = ("pattern", "is_regex", "action", "reason")


@admin.register(TrustChange)
class TrustChangeAdmin(ReadOnly, admin.ModelAdmin):
    """Every hand-set trust level: who, when, why. Read-only; changes are made from a
    comment's page, through trust.trust_set."""

    list_display = ("created_at", "user", "level", "moderator", "note")
    list_filter = ("level", "created_at")
    list_select_related = ("user", "moderator")
    search_fields = ("user__display_name", "note")
    date_hierarchy = "created_at"


class ModerationSettingsForm(forms.ModelForm):
    scorer_url = forms.URLField(
        label=_("Scorer URL"),
        required=False,
        assume_scheme="https",
        help_text=ModerationSettings._meta.get_field("scorer_url").help_text,
    )
    scorer_secret = forms.CharField(
        label=_("Scorer secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"}),
        help_text=ModerationSettings._meta.get_field("scorer_secret").help_text,
    )

    class Meta:
        model = ModerationSettings
        fields = ("scorer_url", "scorer_secret")  # the admin adds the rest from its fieldsets

    def clean(self):
        data = super().clean()
        if data.get("scorer_url") and not data.get("scorer_secret"):
            self.add_error("scorer_secret", "Set a shared secret: requests are signed with it.")
        return data


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin):
    """One row of rules: the list goes straight to its form, and it cannot be added or deleted."""

    form = ModerationSettingsForm

    fieldsets = (
        ("Holding and reports", {"fields": ("first_comment_held", "report_threshold")}),
        (
            "Earned trust",
            {
                "fields": (
                    "trusted_after_comments",
                    "rejection_limit",
                    "rejection_window_comments",
                    "rejection_window_days",
                )
            },
        ),
        (
            "Automatic scoring (off while the address is empty)",
            {
                "fields": (
                    "scorer_url",
                    "scorer_secret",
                    ("scorer_threshold", "scorer_timeout_ms"),
                    "scorer_fallback",
                )
            },
        ),
        ("Limits", {"fields": ("max_links", "edit_window_minutes", "auto_close_after_days")}),
        (
            "Rate limits",
            {"fields": ("user_rate_limit", "ip_rate_limit", "rate_limit_window_seconds")},
        ),
    )

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings_row = ModerationSettings.load()
        return HttpResponseRedirect(
            reverse("admin:comments_moderationsettings_change", args=[settings_row.pk])
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
