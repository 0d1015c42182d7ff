"""The landing page at `/`, the apps' docs pages and the index at every mount root."""

import re

import pytest

from config.views import engine_name

APPS_JSON = [
    {
        "name": "Luna",
        "mount": "/luna/",
        "purpose": "Venue discovery with friends (iOS app).",
        "docs": "/docs/luna",
        "api_docs": "/api/docs/#/luna",
    },
    {
        "name": "PupMatch",
        "mount": "/pupmatch/",
        "purpose": "Playdate matching for dogs.",
        "docs": "/docs/pupmatch",
        "api_docs": "/api/docs/#/pupmatch",
    },
    {
        "name": "YAGO",
        "mount": "/yago/",
        "purpose": "AI project generator (web front end v8.1).",
        "docs": "/docs/yago",
        "api_docs": "/api/docs/#/yago",
    },
    {
        "name": "EdgeSoul",
        "mount": "/edgesoul/",
        "purpose": "An emotional companion's long-term memory.",
        "docs": "/docs/edgesoul",
        "api_docs": "/api/docs/#/edgesoul",
    },
    {
        "name": "Learning",
        "mount": "/learning/",
        "purpose": "A child's Chinese and English learning profile.",
        "docs": "/docs/learning",
        "api_docs": "/api/docs/#/learning",
    },
]


def _hrefs(response) -> list[str]:
    return re.findall(r'href="([^"]+)"', response.content.decode())


@pytest.mark.django_db
def test_landing_page_for_a_browser_lists_every_app_and_link(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Vary"] == "Accept"
    assert _hrefs(response) == [
        *[href for app in APPS_JSON for href in (app["mount"], app["docs"], app["api_docs"])],
        "/api/docs/",
        "/api/schema/",
        "/admin/",
        "/healthz",
    ]
    html = response.content.decode()
    for app in APPS_JSON:
        assert f"<td>{app['name']}</td>" in html
        assert f"<td>{app['purpose']}</td>".replace("'", "&#x27;") in html


def test_landing_page_without_accept_header_is_html(client):
    response = client.get("/")

    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_landing_page_answers_json_to_accept_application_json(client):
    response = client.get("/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Vary"] == "Accept"
    assert response.json() == {
        "message": "Backend: Luna · PupMatch · YAGO · EdgeSoul · Learning",
        "apps": APPS_JSON,
        "links": {
            "api_docs": "/api/docs/",
            "api_schema": "/api/schema/",
            "admin": "/admin/",
            "health": "/healthz",
        },
    }


def test_landing_page_prefers_html_when_the_client_prefers_it(client):
    response = client.get("/", HTTP_ACCEPT="application/json;q=0.5,text/html")

    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.django_db
def test_landing_page_refuses_writes(client):
    response = client.post("/")

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("slug", "heading"),
    [
        ("luna", "<h1>Luna (<code>venues/</code>), mounted at <code>/luna/</code></h1>"),
        ("pupmatch", "<h1>PupMatch (<code>matching/</code>)"),
        ("yago", "<h1>YAGO — AI code-generation projects"),
        ("edgesoul", "<h1>memory — EdgeSoul companion memory"),
        ("learning", "<h1>memory — EdgeSoul companion memory"),
    ],
)
def test_docs_page_renders_the_apps_readme(client, slug, heading):
    response = client.get(f"/docs/{slug}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert heading in response.content.decode()
    assert "<table>" in response.content.decode()


def test_docs_page_of_an_unknown_app_is_json_404(client):
    response = client.get("/docs/nope")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mount", "message", "version"),
    [
        ("/luna/", "Luna Venue Discovery API", "2.0.0"),
        ("/pupmatch/", "PupMatch API", "1.0.0"),
        ("/edgesoul/", "EdgeSoul Memory API", "1.0.0"),
        ("/learning/", "Learning API", "1.0.0"),
    ],
)
def test_every_mount_root_says_which_api_answers(client, mount, message, version):
    response = client.get(mount)

    assert response.status_code == 200
    assert response.json() == {
        "message": message,
        "status": "running",
        "version": version,
        "database": engine_name(),
    }


@pytest.mark.django_db
def test_mount_root_refuses_writes(client):
    response = client.post("/pupmatch/")

    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}


@pytest.mark.django_db
def test_admin_view_site_link_lands_on_the_landing_page(admin_client):
    index = admin_client.get("/admin/")

    assert '<a href="/">View site</a>' in index.content.decode()
    assert admin_client.get("/").status_code == 200
