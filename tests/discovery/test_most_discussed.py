import pytest
from django.urls import reverse

from articles.models import Article
from tests.factories import ArticleFactory, TagFactory


def _discussed(html: str) -> str:
    start = html.index('<aside class="most-discussed"')
    return html[start : html.index("</aside>", start)]


@pytest.fixture
def discussed(db):
    tag = TagFactory(slug="talk")
    quiet = ArticleFactory(title="Quiet", tags=[tag])
    busy = ArticleFactory(title="Busy", slug="busy", tags=[tag], comment_count=12)
    ArticleFactory(title="Some", comment_count=3)
    ArticleFactory(title="Hidden draft", status="draft", comment_count=99)
    return {"tag": tag, "quiet": quiet, "busy": busy}


def test_most_discussed_on_the_home_page(client, discussed):
    html = client.get(reverse("articles:home")).content.decode()
    box = _discussed(html)
    assert '<h2 id="most-discussed-heading" class="section-title">Most discussed</h2>' in box
    assert box.index("Busy") < box.index("Some")
    count_link = '<a class="most-discussed__count" href="/articles/busy/#comments">'
    assert count_link in box
    assert box.index("<span>12 comments</span>") > box.index(count_link)
    assert "Quiet" not in box
    assert "Hidden draft" not in box


def test_not_on_tag_pages(client, discussed):
    html = client.get(discussed["tag"].get_absolute_url()).content.decode()
    assert "most-discussed" not in html


def test_most_discussed_queryset():
    assert list(Article.objects.none().most_discussed()) == []


def test_home_queries_do_not_grow_with_discussed_articles(
    client, db, settings, django_assert_max_num_queries
):
    """Stops a count query per listed article: the list reads the maintained comment_count."""
    settings.PAGE_CACHE = False  # measure the rendering, not a cache hit
    for n in range(8):
        ArticleFactory(comment_count=n + 1)
    client.get(reverse("articles:home"))  # once-per-process lookups out of the way
    with django_assert_max_num_queries(5):
        html = client.get(reverse("articles:home")).content.decode()
    assert _discussed(html).count('<li class="most-discussed__item">') == 5
