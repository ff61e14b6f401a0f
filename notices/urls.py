from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("new/", views.notice_create, name="create"),
    path("guidelines/", views.guidelines, name="guidelines"),
    path("statements/<uuid:puid>/", views.statement_detail, name="statement"),
    path("statements/<uuid:puid>/appeal/", views.appeal_create, name="appeal"),
    path("<str:reference>/", views.notice_receipt, name="receipt"),
]
