"""Build realistic data in the configured database and print what the load needs, as JSON.

python -m benchmarks.sitefixture [--articles N] [--comments N] [--users N] [--password P]

The seed article, N generated articles with tags, one article with a threaded discussion, and
signed-in readers with session cookies ready to post; with --password, the first reader can
also log in through the form (a browser test's reader).
"""

import argparse
import json
import random

import django


def build(
    *,
    articles: int,
    comments: int,
    medium_comments: int,
    users: int,
    rate_limit: int,
    password: str | None = None,
) -> dict:
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import User
    from articles.models import Article, Tag
    from comments.models import ModerationSettings

    call_command("load_seeds", verbosity=0)
    rules = ModerationSettings.load()
    rules.first_comment_held = False
    rules.user_rate_limit = rate_limit
    rules.ip_rate_limit = 1_000_000  # every client of a load test shares 127.0.0.1
    rules.save()

    rng = random.Random(7)  # noqa: S311 - repeatable data, not security
    tags = [Tag.objects.get_or_create(name=f"Topic {n}", slug=f"topic-{n}")[0] for n in range(12)]
    paragraph = "A generated paragraph of plausible news prose for the benchmark. " * 6
    for n in range(articles):
        article = Article.objects.create(
            title=f"Generated story number {n}",
            slug=f"generated-{n}",
            summary="A generated standfirst.",
            body="\n\n".join([paragraph] * 8),
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timezone.timedelta(minutes=n + 1),
        )
        article.tags.set(rng.sample(tags, 3))

    readers = []
    for n in range(users):
        user = User.objects.create_user(
            username=f"bench{n}", email=f"bench{n}@example.com", display_name=f"Reader {n}"
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        readers.append(user)
    if password and readers:  # one reader only: hashing a password takes a good part of a second
        readers[0].set_password(password)
        readers[0].save(update_fields=["password"])

    big = Article.objects.get(seed_file__startswith="000_")
    _discussion(big, comments, readers, rng)
    medium = Article.objects.filter(slug="generated-1").first()
    if medium:
        _discussion(medium, medium_comments, readers, rng)

    sessions = []
    for user in readers:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)

    quiet = Article.objects.get(slug="generated-0")
    return {
        "medium_article": {"url": medium.get_absolute_url()} if medium else None,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "sessions": sessions,
        "readers": [{"email": user.email, "name": user.display_name} for user in readers],
        "big_article": {"id": big.pk, "url": big.get_absolute_url()},
        "quiet_article": {"id": quiet.pk, "url": quiet.get_absolute_url()},
        "static_css": _static_url("css/site.css"),
    }


def _discussion(article, count: int, readers: list, rng: random.Random) -> None:
    """`count` published comments, a third of them top-level and the rest replies."""
    from articles.models import Article
    from comments.models import Comment
    from comments.rendering import render_comment_markdown

    source = "A *considered* reply with a [link](https://example.com)."
    html = render_comment_markdown(source)
    top_level: list[Comment] = []
    replies: list[Comment] = []
    for n in range(count):
        parent = rng.choice(top_level) if top_level and n % 3 else None
        comment = Comment(
            article=article,
            author=readers[n % len(readers)] if readers else None,
            parent=parent,
            root=parent,  # replies answer top-level comments: depth 1
            depth=1 if parent else 0,
            body=source,
            body_html=html,
            status=Comment.Status.PUBLISHED,
        )
        if parent is None:
            comment.save()
            top_level.append(comment)
        else:
            replies.append(comment)
    Comment.objects.bulk_create(replies, batch_size=500)
    Article.objects.filter(pk=article.pk).update(
        comment_count=Comment.objects.filter(article=article).count()
    )


def _static_url(path: str) -> str:
    from django.templatetags.static import static

    return static(path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--comments", type=int, default=0)
    parser.add_argument("--medium-comments", type=int, default=0)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--rate-limit", type=int, default=1_000_000, help="Posts per user.")
    parser.add_argument("--password", help="The first reader's password (otherwise none).")
    args = parser.parse_args()
    django.setup()
    data = build(
        articles=args.articles,
        comments=args.comments,
        medium_comments=args.medium_comments,
        users=args.users,
        rate_limit=args.rate_limit,
        password=args.password,
    )
    print(json.dumps(data))


if __name__ == "__main__":
    main()
