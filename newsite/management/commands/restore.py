import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from .backup import run_pg_tool


class Command(BaseCommand):
    help = "Replace the database's contents with a file written by `manage.py backup`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, file: Path, yes: bool, **options) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such backup file")
        if not yes and input(f"Replace every row of the database with {file}? [y/N] ") != "y":
            raise CommandError("Restore cancelled; nothing changed.")
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(file) as source:
                source.backup(connection.connection)
            source.close()
        elif connection.vendor == "postgresql":
            connection.close()
            run_pg_tool(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--dbname",
                connection.settings_dict["NAME"],
                str(file),
            )
        else:
            raise CommandError(f"restores of {connection.vendor} databases are not supported")
        self.stdout.write(self.style.SUCCESS(f"Database restored from {file}"))
