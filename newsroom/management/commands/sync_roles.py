from django.core.management.base import BaseCommand

from newsroom.roles import ROLES, sync_roles


class Command(BaseCommand):
    help = (
        "Create the Editors and Moderators groups and set their permissions to the defined "
        "roles. Safe to run any number of times; `migrate` runs it too."
    )

    def handle(self, *args, **options) -> None:
        report = sync_roles()
        if options["verbosity"] >= 1:
            for name in ROLES:
                state = "created" if name in report.created else "up to date"
                self.stdout.write(self.style.SUCCESS(f"{name}: {state}."))
        if report.missing and options["verbosity"] >= 2:
            self.stdout.write(f"Not yet available (app not migrated): {', '.join(report.missing)}")
