from django.urls import path

from . import inbox, views

app_name = "federation"

urlpatterns = [
    path("federation/actor", views.actor, name="actor"),
    path("federation/actor/inbox", inbox.inbox, name="actor-inbox"),
    path("federation/inbox", inbox.inbox, name="inbox"),
    path("federation/outbox", views.outbox, name="outbox"),
    path("federation/followers", views.followers, name="followers"),
    path("federation/articles/<slug:slug>/replies", views.replies, name="replies"),
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/nodeinfo", views.nodeinfo_links, name="nodeinfo-links"),
    path("nodeinfo/2.1", views.nodeinfo, name="nodeinfo"),
    path(".well-known/host-meta", views.host_meta, name="host-meta"),
]
