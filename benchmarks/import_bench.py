"""The 100,000-comment Disqus import: time, peak memory and comments per second.

    python -m benchmarks.import_bench [--comments 100000] [--threads 1000] [--keep FILE]

Generates a Disqus export (threads with nested replies, a few thousand authors, HTML bodies
with links and emphasis, some spam and deleted posts; posts in creation order across threads,
as Disqus writes them), then imports it with `manage.py import_comments` into a scratch SQLite
database (or DATABASE_URL) whose articles the threads' URLs name. Peak memory is the process's
maximum resident set size (`resource.getrusage`), which also counts Django and the database
driver; it is printed before the import as well, so the import's own share can be read off.
"""

import argparse
import os
import random
import re
import resource
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

from .harness import in_process_settings, scratch_database

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
    'xmlns:dsq="http://disqus.com/disqus-internals">\n'
    '  <category dsq:id="1"><forum>bench</forum><title>General</title>'
    "<isDefault>true</isDefault></category>\n"
)
TEXT = (
    "harbour ferry strike council timetable lighthouse island weather fishers tide port "
    "crane dock union wages vote night shift cargo ship storm news readers think agree"
)
WORDS = re.findall(r"\w+", TEXT)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, *, comments: int, threads: int, seed: int = 16) -> None:
    """Written as it goes: the generator holds one thread's post ids at most per thread."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
    authors = [(f"reader{n}@example.net", f"Reader {n} Ö") for n in range(5_000)]
    with path.open("w", encoding="utf-8") as file:
        file.write(HEAD)
        for t in range(threads):
            file.write(
                f'  <thread dsq:id="t{t}"><id/><forum>bench</forum>'
                f"<link>https://old.example.com/articles/story-{t}/</link>"
                f"<title>Story {t}</title><message/><createdAt>2020-01-01T00:00:00Z</createdAt>"
                "<author><name>Editor</name><isAnonymous>false</isAnonymous></author>"
                "<isClosed>false</isClosed><isDeleted>false</isDeleted></thread>\n"
            )
        posted: list[list[int]] = [[] for _ in range(threads)]
        for n in range(comments):
            t = rng.randrange(threads)
            parent = ""
            if posted[t] and rng.random() < 0.6:
                parent = f'<parent dsq:id="p{rng.choice(posted[t][-20:])}"/>'
            posted[t].append(n)
            email, name = authors[rng.randrange(len(authors))]
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60)))
            message = f'<p>{words} <a href="https://example.org/{n}">source</a> <em>{n}</em></p>'
            minute = n // 60
            file.write(
                f'  <post dsq:id="p{n}"><id/><message><![CDATA[{message}]]></message>'
                f"<createdAt>2020-02-{1 + minute // 1440 % 28:02d}T{minute // 60 % 24:02d}:"
                f"{minute % 60:02d}:{n % 60:02d}Z</createdAt>"
                f"<isDeleted>{'true' if n % 97 == 0 else 'false'}</isDeleted>"
                f"<isSpam>{'true' if n % 89 == 0 else 'false'}</isSpam>"
                f"<author><email>{escape(email)}</email><name>{escape(name)}</name>"
                "<isAnonymous>false</isAnonymous></author>"
                f'<thread dsq:id="t{t}"/>{parent}</post>\n'
            )
        file.write("</disqus>\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=1_000)
    parser.add_argument("--keep", default="", help="Also keep the generated export here.")
    args = parser.parse_args()

    with scratch_database(os.environ.get("DATABASE_URL")) as database_url:
        in_process_settings(database_url)
        import django

        django.setup()
        from django.core.management import call_command

        from articles.models import Article
        from comments.models import Comment

        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        Article.objects.bulk_create(
            Article(
                title=f"Story {t}",
                slug=f"story-{t}",
                body="Text.",
                body_html="<p>Text.</p>",
                status=Article.Status.PUBLISHED,
            )
            for t in range(args.threads)
        )
        with tempfile.TemporaryDirectory(prefix="newsite-import-bench-") as folder:
            path = Path(args.keep) if args.keep else Path(folder) / "disqus.xml"
            started = time.perf_counter()
            generate(path, comments=args.comments, threads=args.threads)
            size = path.stat().st_size / 2**20
            print(
                f"generated {args.comments:,} posts in {args.threads:,} threads: "
                f"{size:.0f} MB in {time.perf_counter() - started:.1f} s"
            )
            before = peak_mb()
            cpu = time.process_time()
            started = time.perf_counter()
            call_command("import_comments", str(path), format="disqus")
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            peak = peak_mb()
        created = Comment.objects.count()
        print(
            f"imported {created:,} comments in {elapsed:.1f} s: {created / elapsed:,.0f} comments/s"
        )
        print(f"CPU time of this process: {cpu:.1f} s (the rest of the wall time: other processes)")
        print(f"peak memory (max RSS): {peak:.0f} MB (before the import: {before:.0f} MB)")
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(
            f"rendering worker: {child.ru_utime + child.ru_stime:.1f} s CPU, "
            f"peak memory {child.ru_maxrss / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
