from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("<int:pk>/", views.comment_permalink, name="permalink"),
    path("<int:pk>/reply/", views.comment_reply, name="reply"),
    path("<int:pk>/edit/", views.comment_edit, name="edit"),
    path("<int:pk>/delete/", views.comment_delete, name="delete"),
    path("<int:pk>/like/", views.comment_like, name="like"),
    path("<int:pk>/report/", views.comment_report, name="report"),
    path("<int:pk>/request-review/", views.comment_request_review, name="request-review"),
    path("<int:pk>/mute/", views.comment_mute_author, name="mute"),
    path("mutes/<int:pk>/unmute/", views.mute_delete, name="unmute"),
    path("articles/<int:article_id>/since/", views.comments_since, name="since"),
    path("articles/<int:article_id>/post/", views.comment_create, name="create"),
    path("articles/<int:article_id>/draft/", views.comment_draft, name="draft"),
    path("articles/<int:article_id>/follow/", views.thread_follow, name="follow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
