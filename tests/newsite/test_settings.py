import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with exactly the given environment."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "newsite.settings", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    # A copy of the settings package outside the checkout, where no .secret_key file exists.
    (tmp_path / "newsite").mkdir()
    for name in ("__init__.py", "settings.py"):
        (tmp_path / "newsite" / name).write_text((ROOT / "newsite" / name).read_text())
    code = (
        "import sys; sys.path.insert(0, '.'); from django.conf import settings as s; print(s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "newsite.settings"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr

    debug = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "newsite.settings",
            "DJANGO_DEBUG": "1",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert debug.stdout.strip() == "True", debug.stderr


def test_environment_drives_database_cache_and_hosts():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.ALLOWED_HOSTS)"
    )
    result = run_python(
        code,
        DJANGO_SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_ALLOWED_HOSTS="news.example.com",
    )
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "django_redis.cache.RedisCache",
        "['news.example.com']",
    ], result.stderr


def test_default_cache_is_shared_between_processes():
    """Rate limits and invalidation need one cache for every gunicorn worker."""
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'])"
    result = run_python(code, DJANGO_SECRET_KEY="x" * 50)
    assert result.stdout.strip() == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite-only pragmas")
def test_sqlite_runs_in_wal_with_immediate_transactions():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20_000
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


def test_collectstatic_writes_hashed_and_compressed_files(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    hashed = [p.name for p in (tmp_path / "css").iterdir()]
    assert any(n.startswith("site.") and n.endswith(".css") and n != "site.css" for n in hashed)
    assert any(n.endswith(".css.gz") for n in hashed)
    assert any(n.endswith(".css.br") for n in hashed)
    assert settings.WHITENOISE_MAX_AGE == 365 * 24 * 60 * 60


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [("", "http://127.0.0.1:8001"), ("https://news.example.com/", "https://news.example.com")],
)
def test_absolute_urls_follow_the_port_served_unless_a_site_url_is_set(site_url, expected):
    """`make run PORT=8001` shares, mails and links the address it serves (issue 14, item 4)."""
    code = "from django.conf import settings as s; print(s.SITE_URL)"
    env = {"DJANGO_SECRET_KEY": "x" * 50, "PORT": "8001", "DJANGO_SITE_URL": site_url}
    result = run_python(code, **env)
    assert result.stdout.strip() == expected, result.stderr
