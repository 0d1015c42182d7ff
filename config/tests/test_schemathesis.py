import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def auth_headers(db):
    from rest_framework_simplejwt.tokens import AccessToken

    from matching.tests.factories import ProfileFactory

    profile = ProfileFactory(name="Fuzz")
    return {"Authorization": f"Bearer {AccessToken.for_user(profile.user)}"}


@pytest.mark.django_db
@schema.parametrize()
@seed(20261129)
@settings(max_examples=10, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_api(case, auth_headers):
    case.call_and_validate(headers=auth_headers)
