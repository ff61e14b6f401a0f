"""newsite settings: one module, driven by environment variables (see .env.example).

Development defaults just work on SQLite with no configuration; production (DJANGO_DEBUG off)
refuses to start without a real secret key.
"""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

# A secret key comes from the environment, or from the untracked file that `make` writes once.
SECRET_KEY_FILE = BASE_DIR / ".secret_key"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and SECRET_KEY_FILE.exists():
    SECRET_KEY = SECRET_KEY_FILE.read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it in the environment, or run `make secret` "
            "to write an untracked .secret_key file (DJANGO_DEBUG=1 uses a development key)."
        )
    SECRET_KEY = "django-insecure-development-only-key"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Absolute URLs in share links, feeds and e-mails when there is no request to build them from.
# Without it, the address `make run` serves (PORT is gunicorn's port, newsite/gunicorn.conf.py).
SITE_URL = (
    os.environ.get("DJANGO_SITE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
).rstrip("/")
SITE_NAME = os.environ.get("DJANGO_SITE_NAME", "newsite")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # Social login: each stays hidden until an editor adds its keys under Social applications.
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.twitter_oauth2",
    "allauth.socialaccount.providers.facebook",
    "newsite",  # project-wide commands: backup, restore
    "accounts",
    "articles",
    "comments",
    # EU DSA notices of illegal content, statements of reasons and appeals (issue 15). Before
    # newsroom, whose roles name its permissions.
    "notices",
    # Signed HTTP callbacks to other systems when comments, notices and articles change
    # (issue 16). Before newsroom, whose roles name its permissions.
    "webhooks",
    # Import comments and articles from other systems, and export them (issue 16). Before
    # newsroom, whose roles name its permissions.
    "portability",
    # The site on the fediverse: actor, WebFinger, NodeInfo, delivery, inbox (issue 17).
    # Before newsroom, whose roles name its permissions.
    "federation",
    # Article revision history (who, when, restore, recover deleted) for the newsroom admin.
    "reversion",
    # Editors and Moderators roles, make_editor, the admin dashboard.
    "newsroom",
    # Share links, social cards, feeds, sitemap, search, related articles (issue 5).
    "django.contrib.sitemaps",
    "discovery",
    # Background work (mail, notifications): see TASKS.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsite.middleware.RejectNulBytesMiddleware",
    # The language is the URL's prefix (/ja/…, /ar/…; English unprefixed), chosen before the
    # page cache so that its URL resolution and its kept pages are per language.
    "newsite.middleware.URLLanguageMiddleware",
    # ETag from the page's content: a repeat view of an unchanged page is a 304.
    "django.middleware.http.ConditionalGetMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous pages kept whole, served before sessions and authentication are touched, with
    # the headers they were kept with.
    "newsite.pagecache.PageCacheMiddleware",
    # Who may keep each response: shared caches for readers without a session, else private.
    "newsite.pagecache.CacheHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "newsite.middleware.PermissionsPolicyMiddleware",
    "newsite.middleware.DatabaseUnavailableMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "newsite.urls"
WSGI_APPLICATION = "newsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "newsite.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL (e.g. postgres://…) moves it elsewhere.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections: measured 40-60% faster on cheap pages (cache hits).
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
SITE_ID = 1

# Cache: shared by every gunicorn worker (rate limits and invalidation depend on that).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Several sites (or test runs) can share one Redis database under their own prefixes.
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX") or "newsite",
            "OPTIONS": {
                # Everything in the cache can be rebuilt: with Redis away the site carries on,
                # slower, and logs each failure. Rate limits then fail open.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

# Each Redis error the cache ignores is logged (django-redis).
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Sessions are read from the shared cache and kept in the database, so a culled or flushed cache
# signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Template fragments ({% cache … using="fragments" %}) in each process's own memory: their keys
# name the content versions they show (newsite/pagecache.py), so they are never stale, and
# reading one costs no trip to the shared cache. A few KB each.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 5_000},
    # A fragment holds translated text: each language keeps its own copy.
    "KEY_FUNCTION": "newsite.i18n.language_cache_key",
}
# Each process's copy of the anonymous pages it served (newsite/pagecache.py), named by the
# versions they show: 15-70 KB each, so at most about 35 MB.
CACHES["pages"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "pages",
    "OPTIONS": {"MAX_ENTRIES": 500},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-gb"
# English is unprefixed; the others live under /ja/ and /ar/ (newsite/urls.py). Names in their
# own language, as the switcher shows them.
LANGUAGES = [("en-gb", "English"), ("ja", "日本語"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our date formats per language, over Django's (newsite/formats/).
FORMAT_MODULE_PATH = ["newsite.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# English date formats with the time zone shown (newsite/formats/en/formats.py).
FORMAT_MODULE_PATH = ["newsite.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads (lead images, social cards). Django serves them itself unless DJANGO_SERVE_MEDIA=0:
# behind nginx its `location /media/` answers first; on S3 (README) the bucket serves them.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=True)
# Hashed file names never change, so browsers may keep them for a year.
WHITENOISE_MAX_AGE = 365 * 24 * 60 * 60

SEEDS_DIR = BASE_DIR / "seeds"
# Whole-page cache for anonymous readers (newsite/pagecache.py); 0 switches it off to measure.
PAGE_CACHE = env_bool("DJANGO_PAGE_CACHE", default=True)
ARTICLES_PER_PAGE = 20
SEARCH_RESULTS_PER_PAGE = 10
# Share links under each article, in this order: x, facebook, linkedin, reddit, bluesky,
# mastodon (asks for the reader's server), whatsapp, telegram, email, copy (the link, with a copy
# button), native (the browser's own share sheet, where it has one). No SDKs, no counters.
SHARE_NETWORKS = env_list(
    "DJANGO_SHARE_NETWORKS",
    "x,bluesky,mastodon,facebook,linkedin,reddit,whatsapp,telegram,email,copy,native",
)

# Accounts (django-allauth 65.x).
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# The link in the mail confirms in one step (no second "Confirm" button to press).
ACCOUNT_CONFIRM_EMAIL_ON_GET = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
# The signup form adds the required display name shown beside a reader's comments.
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# One address per reader; "change" adds the new one and drops the old once it is verified.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Tell a reader by mail when their password or address changes (a hijack is noticed).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"
# allauth's own limits, spelled out so a reviewer sees them (counted in the shared cache).
ACCOUNT_RATE_LIMITS = {
    "login": "60/m/ip",
    # Per account (key) first, then per address much more loosely: readers behind one office
    # or mobile network share an address (allauth stops at the first limit exceeded).
    "login_failed": "5/5m/key,30/m/ip",
    "signup": "20/m/ip",
    "reset_password": "5/m/key,20/m/ip",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "confirm_email": "1/3m/key",
}
SOCIALACCOUNT_PROVIDERS = {
    "google": {"SCOPE": ["profile", "email"], "AUTH_PARAMS": {"access_type": "online"}},
    "twitter_oauth2": {},
    # "oauth2", not "js_sdk": no Facebook script is ever loaded on our pages.
    "facebook": {"METHOD": "oauth2", "SCOPE": ["email", "public_profile"]},
}
# A social sign-in still proves the address by mail unless the provider verified it.
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
SOCIALACCOUNT_QUERY_EMAIL = True

# Background work: Django's Tasks API through the django-tasks backport, with the database
# backend from django-tasks-db. The queue is a table in the site's own database, so nothing else
# needs to run, and a worker on any host shares it (`manage.py db_worker`; `make run` starts
# one). Django 6 ships the same API as django.tasks: upgrading is an import change
# (`django_tasks` -> `django.tasks`) and dropping "django_tasks" from INSTALLED_APPS.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# E-mail is sent by the task worker (newsite/tasks.py), never inside a request: the console in
# development, SMTP when EMAIL_HOST is set (and DEBUG is off).
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or not os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10


def default_from_email(site_url: str, site_name: str) -> str:
    """The sender when DJANGO_DEFAULT_FROM_EMAIL is unset: no-reply at the site's own host
    (DJANGO_SITE_URL), so mail never claims to come from "localhost". A bare IP or a name
    without a dot (development) gives the reserved .invalid domain: clearly unconfigured."""
    host = (urlsplit(site_url).hostname or "").rstrip(".")
    try:
        ipaddress.ip_address(host)
        host = ""
    except ValueError:
        pass
    if "." not in host:
        host = f"{host or 'newsite'}.invalid"
    return f"{site_name} <noreply@{host}>"


# Set DJANGO_DEFAULT_FROM_EMAIL to the address readers' mail comes from (and replies go to),
# e.g. "newsite <news@example.com>"; by default no-reply at DJANGO_SITE_URL's host.
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL") or default_from_email(
    SITE_URL, SITE_NAME
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Webhooks (webhooks/): deliveries never go to loopback, private, link-local or cloud metadata
# addresses, except to the host names (or addresses) listed here, as written in endpoint URLs,
# e.g. a receiver on the same machine: DJANGO_WEBHOOK_ALLOWED_HOSTS=127.0.0.1
WEBHOOK_ALLOWED_HOSTS = [host.lower() for host in env_list("DJANGO_WEBHOOK_ALLOWED_HOSTS")]
# Seconds one delivery attempt may take in all (connecting, sending, the answer).
WEBHOOK_TIMEOUT = float(os.environ.get("DJANGO_WEBHOOK_TIMEOUT", "5"))

# Security headers. The HTTPS-only ones follow DJANGO_HTTPS (set it in production) so that
# `make run` on plain http://127.0.0.1 still works; with it, `check --deploy` is clean.
HTTPS = env_bool("DJANGO_HTTPS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("DJANGO_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=()"
)
# Content Security Policy (django-csp 4): our own origin only, no inline script or style.
# form-action allows https: because social login and the Mastodon share form redirect there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, "https:"],
    }
}
if env_bool("DJANGO_BEHIND_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO", "propagate": True}},
}

# Federation (federation/, ActivityPub): the site's actor is @FEDERATION_ACTOR_NAME@<host of
# SITE_URL>. Fetches and deliveries never go to loopback, private, link-local or metadata
# addresses except to the hosts listed here (tests and a local interop server: 127.0.0.1).
FEDERATION_ACTOR_NAME = os.environ.get("DJANGO_FEDERATION_ACTOR_NAME", "news")
FEDERATION_ALLOWED_HOSTS = [host.lower() for host in env_list("DJANGO_FEDERATION_ALLOWED_HOSTS")]
# Seconds one fetch or delivery may take in all, and the largest answer read.
FEDERATION_TIMEOUT = float(os.environ.get("DJANGO_FEDERATION_TIMEOUT", "10"))
FEDERATION_MAX_RESPONSE_BYTES = int(
    os.environ.get("DJANGO_FEDERATION_MAX_RESPONSE_BYTES", "1000000")
)
# The inbox (federation/inbox.py): the largest activity read (413 above it), how far a signed
# request's Date may be from our clock (a replayed signature is refused for as long).
FEDERATION_INBOX_MAX_BYTES = int(os.environ.get("DJANGO_FEDERATION_INBOX_MAX_BYTES", "262144"))
FEDERATION_SIGNATURE_MAX_SKEW = int(os.environ.get("DJANGO_FEDERATION_SIGNATURE_MAX_SKEW", "3600"))
# Verified activities per window from one domain, and requests of any kind from one address
# (counted before the signature is checked, so it must allow a big server's delivery hosts).
FEDERATION_INBOX_RATE_LIMIT = int(os.environ.get("DJANGO_FEDERATION_INBOX_RATE_LIMIT", "600"))
FEDERATION_INBOX_ADDRESS_RATE_LIMIT = int(
    os.environ.get("DJANGO_FEDERATION_INBOX_ADDRESS_RATE_LIMIT", "1200")
)
FEDERATION_INBOX_RATE_WINDOW = int(os.environ.get("DJANGO_FEDERATION_INBOX_RATE_WINDOW", "60"))
