"""Rendering imported comment bodies, in a second process while the file is still being read.

Kept free of Django models and settings so a spawned worker imports only the renderer: the
sanitiser is the one new comments go through (comments.rendering).
"""

from comments.rendering import render_comment_markdown

from .html import html_to_markdown


def render_bodies(bodies: list[tuple[str, bool]]) -> list[tuple[str, str]]:
    """(body, is_html) pairs to (Markdown body, sanitised HTML) pairs."""
    rendered = []
    for body, is_html in bodies:
        if is_html:
            body = html_to_markdown(body)
        rendered.append((body, render_comment_markdown(body) if body else ""))
    return rendered
