from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import TemplateView
from django.views.i18n import JavaScriptCatalog

from newsite.pagecache import anonymous_page_cache
from newsite.views import healthz, media, styleguide
from notices.views import moderation_record

# The admin signs in through allauth's login page, so its rate limits and checks apply there too.
admin.site.login = secure_admin_login(admin.site.login)

# The JavaScript strings of the active language: the same for every reader, so kept whole.
javascript_catalog = anonymous_page_cache(lambda **kwargs: [])(
    JavaScriptCatalog.as_view(packages=["newsite"])
)

# Machines' and staff's addresses: one language, no prefix.
# allauth renders its rate-limit refusals with this (allauth.core.ratelimit.respond_429).
handler429 = "newsite.views.too_many_requests"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # ActivityPub, WebFinger, NodeInfo: other servers' addresses.
    path("", include("federation.urls")),
]
# Readers' pages: English at /…, the other languages at /ja/…, /ar/… (settings.LANGUAGES).
urlpatterns += i18n_patterns(
    path(
        "accessibility/",
        TemplateView.as_view(template_name="pages/accessibility.html"),
        name="accessibility",
    ),
    path("styleguide/", styleguide, name="styleguide"),
    path("jsi18n/", javascript_catalog, name="javascript-catalog"),
    path("moderation/", moderation_record, name="moderation-record"),
    path("accounts/profile/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("comments/", include("comments.urls")),
    path("notices/", include("notices.urls")),
    path("import/", include("portability.urls")),
    path("", include("articles.urls")),
    path("", include("discovery.urls")),
    prefix_default_language=False,
)

if settings.SERVE_MEDIA:
    urlpatterns.append(re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", media))
