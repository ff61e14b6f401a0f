from django import template
from django.db.models import Count, Q
from django.utils.translation import ngettext

from articles.models import Article
from federation.models import Reaction

register = template.Library()


@register.simple_tag
def fediverse_reactions(article: Article) -> str:
    """ "3 boosts · 5 favourites" from the fediverse, or '' when there are none. One query;
    templates keep the answer in a fragment under the discussion's version."""
    counts = Reaction.objects.filter(article=article).aggregate(
        boosts=Count("pk", filter=Q(kind=Reaction.Kind.ANNOUNCE)),
        favourites=Count("pk", filter=Q(kind=Reaction.Kind.LIKE)),
    )
    if not counts["boosts"] and not counts["favourites"]:
        return ""
    boosts = ngettext("%(n)d boost", "%(n)d boosts", counts["boosts"]) % {"n": counts["boosts"]}
    favourites = ngettext("%(n)d favourite", "%(n)d favourites", counts["favourites"]) % {
        "n": counts["favourites"]
    }
    return f"{boosts} · {favourites}"
