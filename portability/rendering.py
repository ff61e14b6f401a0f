"""Rendering imported comment bodies, in a second process while the file is still being read.

Kept free of Django models and settings so a spawned worker imports only the renderer: the
sanitiser is the one new comments go through (comments.rendering).
"""

from comments.rendering import render_comment_markdown


def render_bodies(bodies: list[str]) -> list[str]:
    return [render_comment_markdown(body) if body else "" for body in bodies]
