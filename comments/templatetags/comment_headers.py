from django import template
from django.utils.safestring import SafeString

from comments.fragments import header_html
from comments.models import Comment

register = template.Library()


@register.simple_tag
def comment_header(comment: Comment) -> SafeString:
    """The comment's header, from the fragment cache when its content was rendered before."""
    return header_html(comment)
