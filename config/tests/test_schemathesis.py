"""Schema-driven fuzzing of every API operation (schemathesis, in-process against the WSGI app).

Each operation gets MAX_EXAMPLES generated requests (valid and invalid ones, from a fixed
seed, so a run is reproducible); every response must be no server error, carry a documented
status code and match the documented schema for that code. A PupMatch user's JWT goes with
every request; the other mounts run with their access setting `open`.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

MAX_EXAMPLES = 25
SEED = 20261129
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
requests_sent: dict[str, int] = {}


@pytest.fixture
def _keep_the_test_connection():
    """Like Django's test client: the WSGI app must not close the connection after a request
    (it would on PostgreSQL, being inside the test's transaction, and end that transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def auth_headers(db, settings, _keep_the_test_connection):
    from rest_framework_simplejwt.tokens import AccessToken

    from matching.tests.factories import ProfileFactory

    for mount in ("LUNA", "EDGESOUL", "LEARNING", "YAGO"):
        setattr(settings, f"{mount}_ACCESS", "open")
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]),
    }
    profile = ProfileFactory(name="Fuzz")
    # Its WSGI transport asks for gzip like a browser but never decodes a body: plain bodies
    # here (the negotiated gzip is tested in venues/tests/test_http.py).
    return {
        "Authorization": f"Bearer {AccessToken.for_user(profile.user)}",
        "Accept-Encoding": "identity",
    }


@pytest.mark.django_db
@schema.parametrize()
@seed(SEED)
@settings(
    max_examples=MAX_EXAMPLES,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api(case, auth_headers):
    label = case.operation.label
    requests_sent[label] = requests_sent.get(label, 0) + 1
    case.call_and_validate(headers=auth_headers, checks=CHECKS)
