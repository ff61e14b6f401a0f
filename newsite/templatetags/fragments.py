from django import template
from django.utils.safestring import mark_safe

from newsite.fragments import by_generation, cached

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str, parts: list) -> None:
        self.nodelist = nodelist
        self.name = name
        self.parts = parts

    def render(self, context: template.Context) -> str:
        parts = [part.resolve(context, ignore_failures=True) for part in self.parts]
        key = by_generation(self.name, *parts)
        return mark_safe(cached(key, lambda: self.nodelist.render(context)))  # noqa: S308


@register.tag
def fragment(parser: template.base.Parser, token: template.base.Token) -> FragmentNode:
    """{% fragment "name" part… %}…{% endfragment %}: the enclosed HTML, rendered once for
    each set of parts (the generation tokens of what it shows, ids).

    A part that is missing or None (no tokens in the context) renders it every time.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    name = bits[1].strip("\"'")
    return FragmentNode(nodelist, name, [parser.compile_filter(bit) for bit in bits[2:]])
