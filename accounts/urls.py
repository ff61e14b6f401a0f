from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.ProfileView.as_view(), name="profile"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("delete/", views.DeleteAccountView.as_view(), name="delete"),
    path(
        "verify-email/resend/", views.ResendVerificationView.as_view(), name="resend-verification"
    ),
]
