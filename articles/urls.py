from django.urls import path

from comments.discussion import discussion_variant
from comments.templatetags.comment_cards import card_time_bucket
from federation.negotiation import representation
from newsite.pagecache import LISTS, anonymous_page_cache, discussion

from . import feeds, views

# What each page shows besides the site's content: listings show comment counts.
listing = anonymous_page_cache(lambda **kwargs: [LISTS])


def article_variant(request) -> str:
    """An article page is kept once per representation (HTML, or ActivityStreams JSON for
    other servers: see federation/negotiation.py) and per page of its discussion."""
    return f"{representation(request)}&{discussion_variant(request)}"


# The thread says how long ago each comment was posted: its pages follow the cards' clock.
article_page = anonymous_page_cache(
    lambda *, slug: [discussion(slug)],
    variant=article_variant,
    clock=lambda: str(card_time_bucket()),
)

app_name = "articles"

urlpatterns = [
    path("", listing(views.FrontPageView.as_view()), name="home"),
    path(
        "articles/<slug:slug>/",
        article_page(views.ArticleDetailView.as_view()),
        name="detail",
    ),
    path("articles/<slug:slug>/preview/", views.ArticlePreviewView.as_view(), name="preview"),
    path("tags/<slug:slug>/", listing(views.TagArticleListView.as_view()), name="tag"),
    path("sources/<slug:slug>/", listing(views.SourceArticleListView.as_view()), name="source"),
    path("authors/<slug:slug>/", listing(views.AuthorArticleListView.as_view()), name="author"),
    path("authors/<slug:slug>/feed.rss", feeds.AuthorFeed(), name="author-feed-rss"),
    path("authors/<slug:slug>/feed.atom", feeds.AuthorAtomFeed(), name="author-feed-atom"),
    path("authors/<slug:slug>/feed.json", feeds.AuthorJSONFeed(), name="author-feed-json"),
]
