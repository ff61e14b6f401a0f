from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class NewsiteUserAdmin(UserAdmin):
    """Superusers only: the Editors and Moderators roles carry no permission on accounts."""

    fieldsets = (
        *UserAdmin.fieldsets,
        ("Public profile", {"fields": ("display_name",)}),
        ("Commenting", {"fields": ("is_banned", "posting_suspended_until")}),
    )
    list_display = ("email", "display_name", "is_staff", "is_banned", "is_active", "date_joined")
    list_filter = (*UserAdmin.list_filter, "is_banned")
    search_fields = ("email", "display_name", "username")
