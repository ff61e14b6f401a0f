from django import template
from django.template.context import Context
from django.utils.safestring import SafeString

from comments.fragments import anonymous_card_key, cached, header_html
from comments.models import Comment

register = template.Library()

CARD_TEMPLATE = "comments/_comment_card.html"


@register.simple_tag
def comment_header(comment: Comment) -> SafeString:
    """The comment's header, from the fragment cache when its content was rendered before."""
    return header_html(comment)


@register.simple_tag(takes_context=True)
def comment_card(context: Context, comment: Comment) -> SafeString:
    """A comment without its replies; cached for readers who are not signed in.

    Signed-in readers see their own like state, forms and links, so theirs is rendered fresh.
    """
    card = context.template.engine.get_template(CARD_TEMPLATE)

    def render() -> str:
        with context.push(comment=comment):
            return card.render(context)

    user = context.get("user")
    if user is not None and user.is_authenticated:
        return SafeString(render())
    key = anonymous_card_key(comment, comments_are_open=bool(context.get("comments_are_open")))
    return cached(key, render)
