import re

from django.core import mail
from django.db.models import F

from articles.models import Article
from comments.models import Comment

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase 42"

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def without_tokens(html: str, *emails: str) -> str:
    """A page with its per-request CSRF tokens and the typed addresses blanked out."""
    html = CSRF_RE.sub('name="csrfmiddlewaretoken" value=""', html)
    for email in emails:
        html = html.replace(email, "EMAIL")
    return html


def last_link(path_prefix: str) -> str:
    """The first link starting with path_prefix in the newest e-mail."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}[^\s]+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def make_comment(article: Article, author, body: str, **fields) -> Comment:
    """A comment as the comments service would leave it, including the article's counter."""
    comment = Comment.objects.create(article=article, author=author, body=body, **fields)
    if comment.is_counted:
        Article.objects.filter(pk=article.pk).update(comment_count=F("comment_count") + 1)
    return comment
