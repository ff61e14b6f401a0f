import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone


def pg_environment() -> dict[str, str]:
    """libpq variables for pg_dump / pg_restore from the Django connection settings."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def run_pg_tool(*args: str) -> None:
    tool = shutil.which(args[0])
    if tool is None:
        raise CommandError(
            f"{args[0]} is not installed (Debian: apt-get install postgresql-client)"
        )
    result = subprocess.run(  # noqa: S603 - a fixed tool; arguments come from settings
        [tool, *args[1:]], env=pg_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise CommandError(f"{args[0]} failed: {result.stderr.strip()}")


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database while the site runs: SQLite's online backup "
        "API, or pg_dump (custom format) on PostgreSQL. Restore with `manage.py restore FILE`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="File to write (default: backups/…)")

    def handle(self, *args, output: Path | None, **options) -> None:
        vendor = connection.vendor
        if vendor not in {"sqlite", "postgresql"}:
            raise CommandError(f"backups of {vendor} databases are not supported")
        if output is None:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            suffix = "sqlite3" if vendor == "sqlite" else "pgdump"
            output = settings.BASE_DIR / "backups" / f"newsite-{stamp}.{suffix}"
        output.parent.mkdir(parents=True, exist_ok=True)
        if vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(output) as target:
                connection.connection.backup(target)
            target.close()
        else:
            run_pg_tool("pg_dump", "--format=custom", "--no-owner", f"--file={output}")
        self.stdout.write(self.style.SUCCESS(f"Backup written to {output}"))
