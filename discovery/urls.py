from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import feeds, views
from .sitemaps import SITEMAPS

app_name = "discovery"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("share/mastodon/", views.share_mastodon, name="share-mastodon"),
    path("articles/<slug:slug>/card.png", views.card, name="card"),
    path("feeds/latest.rss", feeds.ArticleFeed(), name="feed-rss"),
    path("feeds/latest.atom", feeds.ArticleAtomFeed(), name="feed-atom"),
    path("feeds/latest.json", feeds.ArticleJSONFeed(), name="feed-json"),
    path("tags/<slug:slug>/feed.rss", feeds.TagFeed(), name="tag-feed-rss"),
    path("tags/<slug:slug>/feed.atom", feeds.TagAtomFeed(), name="tag-feed-atom"),
    path("tags/<slug:slug>/feed.json", feeds.TagJSONFeed(), name="tag-feed-json"),
    path("sources/<slug:slug>/feed.rss", feeds.SourceFeed(), name="source-feed-rss"),
    path("sources/<slug:slug>/feed.atom", feeds.SourceAtomFeed(), name="source-feed-atom"),
    path("sources/<slug:slug>/feed.json", feeds.SourceJSONFeed(), name="source-feed-json"),
    path("articles/<slug:slug>/comments.rss", feeds.CommentFeed(), name="comment-feed-rss"),
    path("articles/<slug:slug>/comments.atom", feeds.CommentAtomFeed(), name="comment-feed-atom"),
    path("articles/<slug:slug>/comments.json", feeds.CommentJSONFeed(), name="comment-feed-json"),
    path("oembed/", views.oembed, name="oembed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
