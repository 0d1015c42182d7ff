import pytest
from drf_spectacular.generators import SchemaGenerator

ROUTES = {
    "/pupmatch/": {"get"},
    "/pupmatch/health": {"get"},
    "/pupmatch/auth/register": {"post"},
    "/pupmatch/auth/login": {"post"},
    "/pupmatch/auth/me": {"get", "delete"},
    "/pupmatch/auth/password-reset/request": {"post"},
    "/pupmatch/auth/password-reset/confirm": {"post"},
    "/pupmatch/profile": {"get", "post", "patch"},
    "/pupmatch/profiles/{id}": {"get"},
    "/pupmatch/profiles/{id}/like": {"post", "delete"},
    "/pupmatch/profiles/{id}/pass": {"post"},
    "/pupmatch/discover": {"get"},
    "/pupmatch/photos/": {"get"},
    "/pupmatch/photos/upload": {"post"},
    "/pupmatch/photos/reorder": {"put"},
    "/pupmatch/photos/{id}": {"delete"},
    "/pupmatch/messages": {"post"},
    "/pupmatch/matches": {"get"},
    "/pupmatch/matches/{id}": {"delete"},
    "/pupmatch/conversations": {"get"},
    "/pupmatch/conversations/unread": {"get"},
    "/pupmatch/conversations/{id}": {"delete"},
    "/pupmatch/conversations/{id}/messages": {"get", "post"},
    "/pupmatch/conversations/{id}/read": {"post"},
    "/pupmatch/conversations/{id}/share-playground": {"post"},
    "/pupmatch/playgrounds": {"get", "post"},
    "/pupmatch/playgrounds/favourites": {"get"},
    "/pupmatch/playgrounds/{id}": {"get"},
    "/pupmatch/playgrounds/{id}/favourite": {"post", "delete"},
}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_route_is_in_the_schema(schema):
    paths = {
        path: {
            method for method in operations if method in {"get", "post", "put", "patch", "delete"}
        }
        for path, operations in schema["paths"].items()
        if path.startswith("/pupmatch/")
    }
    assert paths == ROUTES


def test_every_operation_has_typed_responses(schema):
    for path, methods in ROUTES.items():
        for method in methods:
            operation = schema["paths"][path][method]
            assert operation["responses"], (path, method)
            for code, response in operation["responses"].items():
                if code != "204":
                    assert "content" in response, (path, method, code)
            if method in {"post", "put", "patch"} and path not in {
                "/pupmatch/profiles/{id}/like",
                "/pupmatch/profiles/{id}/pass",
                "/pupmatch/conversations/{id}/read",
                "/pupmatch/playgrounds/{id}/favourite",
            }:
                assert "requestBody" in operation, (path, method)
