"""HTTPS redirect, HSTS, CSP and CORS as served."""

import re

import pytest

# django-csp joins the directives in no fixed order: compared as a set.
CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


@pytest.fixture
def production_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(client, production_https):
    response = client.get("/luna/venues")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/luna/venues"


@pytest.mark.django_db
def test_healthz_stays_reachable_over_plain_http_with_the_redirect_on(client, production_https):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_https_responses_carry_hsts(client, production_https):
    response = client.get("/luna/venues", secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
def test_https_behind_the_proxy_is_recognised_by_x_forwarded_proto(
    client, settings, production_https
):
    # What settings.py derives when TRUSTED_PROXIES or NUM_PROXIES is set (test_deploy.py).
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = client.get("/luna/venues", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_without_a_trusted_proxy_x_forwarded_proto_is_not_believed(client, production_https):
    response = client.get("/luna/venues", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 301


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/login/", "/api/docs/", "/luna/venues", "/healthz"])
def test_every_response_carries_the_csp(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert set(response["Content-Security-Policy"].split("; ")) == CSP


@pytest.mark.django_db
def test_the_admin_login_page_runs_no_inline_script(client):
    page = client.get("/admin/login/").content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []


@pytest.mark.django_db
def test_swagger_ui_loads_only_same_origin_scripts_and_its_start_up_script_is_a_file(client):
    page = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>", page)
    script = client.get("/api/docs/?script=")

    assert scripts == [
        ' src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"',
        ' src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js"',
        ' src="/api/docs/?script="',
    ]
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert b"SwaggerUIBundle" in script.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/pupmatch/auth/login",
        "/pupmatch/auth/register",
        "/pupmatch/auth/password-reset/request",
        "/pupmatch/auth/password-reset/confirm",
        "/pupmatch/profile",
        "/yago/api/v1/projects",
    ],
)
def test_cors_preflight_from_an_allowed_origin(client, settings, url):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]

    response = client.options(
        url,
        headers={
            "Origin": "https://app.example.com",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert response["Access-Control-Allow-Methods"] == "DELETE, GET, OPTIONS, PATCH, POST, PUT"
    assert response["Access-Control-Allow-Headers"] == (
        "accept, authorization, content-type, x-api-key, x-request-id, x-requested-with, "
        "x-write-lsn"
    )
    assert response["Access-Control-Max-Age"] == "86400"
    assert "Access-Control-Allow-Credentials" not in response


@pytest.mark.django_db
def test_cors_lets_an_allowed_origin_read_the_request_id_and_write_position(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]

    response = client.get("/luna/venues", headers={"Origin": "https://app.example.com"})

    assert response.status_code == 200
    assert response["Access-Control-Expose-Headers"] == "x-request-id, x-write-lsn"


@pytest.mark.django_db
def test_cors_allows_no_other_origin(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]

    preflight = client.options(
        "/pupmatch/auth/login",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    simple = client.get("/luna/venues", headers={"Origin": "https://evil.example"})

    assert preflight.status_code == 200
    assert "Access-Control-Allow-Origin" not in preflight
    assert "Access-Control-Allow-Origin" not in simple


@pytest.mark.django_db
def test_cors_covers_the_api_mounts_only(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]

    api = client.get("/luna/venues", headers={"Origin": "https://app.example.com"})
    admin = client.get("/admin/login/", headers={"Origin": "https://app.example.com"})

    assert api["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in admin
