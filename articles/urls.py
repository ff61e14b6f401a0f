from django.urls import path

from comments.thread import discussion_variant
from newsite.pagecache import anonymous_page_cache, page_article, page_lists

from . import views

lists = anonymous_page_cache(page_lists)

app_name = "articles"

urlpatterns = [
    path("", lists(views.ArticleListView.as_view()), name="home"),
    path(
        "articles/<slug:slug>/",
        anonymous_page_cache(page_article, variant=discussion_variant)(
            views.ArticleDetailView.as_view()
        ),
        name="detail",
    ),
    path("articles/<slug:slug>/preview/", views.ArticlePreviewView.as_view(), name="preview"),
    path("tags/<slug:slug>/", lists(views.TagArticleListView.as_view()), name="tag"),
    path("sources/<slug:slug>/", lists(views.SourceArticleListView.as_view()), name="source"),
]
