from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from portability.exporters import export_comments


class Command(BaseCommand):
    help = "Export comments as newsite JSON lines or a Disqus XML export, to stdout or --output."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", required=True, choices=["jsonl", "disqus"])
        parser.add_argument("--article", metavar="SLUG", help="Only this article's comments.")
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args, **options) -> None:
        slug = options["article"]
        if slug and not Article.objects.filter(slug=slug).exists():
            raise CommandError(f"no article with the slug “{slug}”")
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="\n") as file:
                count = export_comments(file, format=options["format"], slug=slug)
            self.stderr.write(f"{count} comments written to {options['output']}")
        else:
            count = export_comments(self.stdout, format=options["format"], slug=slug)
            if options["verbosity"] > 1:
                self.stderr.write(f"{count} comments written")
