"""Background work for articles: the lead image's renditions (see articles.images)."""

import logging

from django_tasks import task

from newsite import pagecache

from .images import make_renditions
from .models import Article

logger = logging.getLogger(__name__)


@task()
def make_lead_image_renditions(article_id: int, source_name: str) -> None:
    """Make the renditions of `source_name` if it is still the article's lead image.

    An image replaced (or the article deleted) before this ran is skipped: the newer image has
    its own task. Renditions are recorded with update(), which sends no post_save, so the pages
    showing the image are renewed here.
    """
    article = Article.objects.filter(pk=article_id).only("lead_image", "lead_image_renditions")
    article = article.first()
    if article is None or article.lead_image.name != source_name or article.lead_image_ready:
        return
    renditions = make_renditions(source_name, storage=article.lead_image.storage)
    updated = Article.objects.filter(pk=article_id, lead_image=source_name).update(
        lead_image_renditions=renditions
    )
    if updated:
        pagecache.invalidate(pagecache.SITE)
    logger.info("Lead image renditions for article %s: %s", article_id, renditions["widths"])
