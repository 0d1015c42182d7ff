"""A DRF view and its response are freed when the request ends, not at a full collection."""

import gc

import pytest
from django.test import RequestFactory
from django.test.client import ClientHandler
from rest_framework.response import Response
from rest_framework.views import APIView

pytestmark = pytest.mark.django_db

RELEASE = "config.middleware.ReleaseViewMiddleware"


def views_left_for_the_collector(path: str) -> list[str]:
    """Serve `path` through the WSGI handler: the DRF responses and views holding data (not
    emptied) that only a garbage collection would free.

    ClientHandler is Django's WSGI handler minus closing the test's database connection.
    """
    handler = ClientHandler()
    environ = RequestFactory().get(path).environ
    gc.collect()
    gc.disable()
    try:
        response = handler(environ)
        body = response.content
        del response
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        # type(), not isinstance(): the garbage holds lazy objects that must not be evaluated.
        left = [
            type(o).__name__
            for o in gc.garbage
            if issubclass(type(o), Response) or (issubclass(type(o), APIView) and vars(o))
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert body == b'{"venues":[]}'
    return sorted(left)


def test_the_view_and_its_response_go_when_the_request_ends():
    assert views_left_for_the_collector("/luna/venues") == []


def test_without_the_middleware_they_wait_for_the_collector(settings):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != RELEASE]

    assert views_left_for_the_collector("/luna/venues") == ["Response", "VenueViewSet"]
