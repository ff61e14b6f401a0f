from django.urls import path

from newsite.urls import urlpatterns as site_urlpatterns


def crash(request):
    raise RuntimeError("secret internals")


urlpatterns = [*site_urlpatterns, path("crash/", crash)]
