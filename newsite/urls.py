from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from newsite.views import healthz
from notices.views import moderation_record

# The admin signs in through allauth's login page, so its rate limits and checks apply there too.
admin.site.login = secure_admin_login(admin.site.login)

# allauth renders its rate-limit refusals with this (allauth.core.ratelimit.respond_429).
handler429 = "newsite.views.too_many_requests"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(
        "accessibility/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("moderation/", moderation_record, name="moderation-record"),
    path("admin/", admin.site.urls),
    path("accounts/profile/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("comments/", include("comments.urls")),
    path("notices/", include("notices.urls")),
    path("import/", include("portability.urls")),
    path("", include("articles.urls")),
    path("", include("discovery.urls")),
]
