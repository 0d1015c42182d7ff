"""The ceiling: a bare Django JSON view under the same settings, middleware and gunicorn config."""

import os

from django.http import JsonResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def ok(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("", ok)]


def _application():
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    settings.ROOT_URLCONF = "bench.ceiling"
    return application


application = _application()
