from django.urls import path

from . import views

app_name = "portability"

urlpatterns = [path("claim/", views.ClaimView.as_view(), name="claim")]
