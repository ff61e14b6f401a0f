"""Hostile text shown everywhere readers see it never runs in Chromium and stays visible as text.

Payloads come from tests/data/xss-payloads.txt (a copy of shared/testdata) plus our own; they go
in as comments (Markdown), display names, a seed article and search queries.
"""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client

from articles.seeds import parse_seed
from articles.services import article_import
from comments.models import Comment
from comments.services import comment_create
from tests.factories import UserFactory, relaxed_moderation

pytestmark = pytest.mark.django_db(transaction=True)

CORPUS = Path(__file__).resolve().parents[1] / "data" / "xss-payloads.txt"
OWN_PAYLOADS = [
    "[click](javascript:alert(1))",
    "[click](javascript\u200b:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](x onerror=alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<img src=x onerror=alert(1)//",
    "<iframe srcdoc='<script>alert(1)</script>'>",
    "\u202e<script>alert(1)</script>",
    "[a](<javascript:alert(1)>)",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


def payloads() -> list[str]:
    if not CORPUS.exists():
        pytest.fail(f"missing test corpus {CORPUS}")
    lines = CORPUS.read_text(encoding="utf-8").splitlines()[1:]
    return [line for line in lines if line.strip()] + OWN_PAYLOADS


def chunks(items: list[str], limit: int = 4000) -> list[str]:
    bodies, current = [], ""
    for item in items:
        if len(current) + len(item) + 2 > limit:
            bodies.append(current)
            current = ""
        current += item + "\n\n"
    return [*bodies, current]


INSPECT_DOM = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('main *')) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\u0000-\\u001f\\u200b]/g, '').toLowerCase();
      if (attr.name.startsWith('on')) bad.push(el.tagName + ' ' + attr.name);
      if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(attr.name)
          && (value.startsWith('javascript:') || value.startsWith('data:'))) {
        bad.push(el.tagName + ' ' + attr.name + '=' + attr.value);
      }
    }
    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'STYLE'].includes(el.tagName)
        && !el.closest('head') && el.type !== 'application/ld+json' && !el.src) {
      bad.push('element ' + el.tagName);
    }
  }
  return bad;
}"""


def test_payloads_never_execute_and_show_as_text(live_server, page):
    relaxed_moderation(max_links=1000, user_rate_limit=10_000, ip_rate_limit=10_000)
    corpus = payloads()
    seed = parse_seed(
        "<script>alert(1)</script> seed title\n\nNews / <b>Tags</b>\n\n"
        + "\n\n".join(p + " ." for p in corpus[:40])
        + "\n\nSource: <img src=x onerror=alert(1)>\n",
        name="hostile.txt",
    )
    _, article = article_import(parsed=seed)
    bodies = chunks(corpus)
    for number, body in enumerate(bodies):
        author = UserFactory(display_name=corpus[number % len(corpus)][:60])
        comment = comment_create(article=article, author=author, body=body)
        assert comment.status == Comment.Status.PUBLISHED

    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    urls = [article.get_absolute_url(), "/", article.tags.first().get_absolute_url()]
    urls += [f"/search/?q={quote(p)}" for p in corpus[::12]]
    for url in urls:
        page.goto(live_server.url + url)
        assert page.evaluate(INSPECT_DOM) == [], url
    page.goto(live_server.url + article.get_absolute_url())
    page.mouse.move(200, 400)
    page.keyboard.press("Tab")
    assert dialogs == []
    assert errors == []
    # The text is still there for readers to see, escaped, not swallowed.
    text = page.locator("main").inner_text()
    assert "<svg onload=alert(1)>" in text
    assert "<script>alert(1)</script> seed title" in text
    assert page.locator(".comment__body").count() == len(bodies)
    assert "<x onclick=alert(1)>click this!" in text
    assert Client().get(article.get_absolute_url()).status_code == 200
