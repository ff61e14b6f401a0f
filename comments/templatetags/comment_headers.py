from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from comments import reader
from comments.fragments import card_key, header_html
from comments.models import Comment
from newsite.fragments import cached

register = template.Library()

CARD_TEMPLATE = "comments/_comment_card.html"


@register.simple_tag
def comment_header(comment: Comment) -> SafeString:
    """The comment's header, from the fragment cache when its content was rendered before."""
    return header_html(comment)


@register.simple_tag(takes_context=True)
def comment_card(context: Context, comment: Comment) -> SafeString:
    """A comment without its replies, rendered once for all readers (with reader slots)."""
    card = context.template.engine.get_template(CARD_TEMPLATE)

    def render() -> str:
        with context.push(comment=comment):
            return card.render(context)

    key = card_key(comment, comments_are_open=bool(context.get("comments_are_open")))
    return mark_safe(cached(key, render))  # noqa: S308 - our template's output


@register.simple_tag
def reader_slot(name: str, comment: Comment | None = None) -> SafeString:
    """Where a per-reader control goes; comments.reader.fill_reader_slots fills it."""
    return reader.slot(name, comment)
