from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.ArticleListView.as_view(), name="home"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("articles/<slug:slug>/preview/", views.ArticlePreviewView.as_view(), name="preview"),
    path("tags/<slug:slug>/", views.TagArticleListView.as_view(), name="tag"),
    path("sources/<slug:slug>/", views.SourceArticleListView.as_view(), name="source"),
]
