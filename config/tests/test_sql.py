"""config.sql: InJSON (a list as one JSON parameter, the same rows as `__in` on both engines)
and Prepared's UUID parameters."""

import json
import uuid

import pytest
from django.db.models import F, Value

from config.sql import InJSON, Prepared
from matching.tests.factories import UserFactory
from venues.models import Venue
from venues.tests.factories import VenueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def venues():
    for pk in ("v1", "v2", "v3", "v'4", "vé5"):
        VenueFactory(id=pk)


def ids(values) -> list[str]:
    rows = Venue.objects.filter(InJSON(F("pk"), json.dumps(values))).order_by("pk")
    return list(rows.values_list("pk", flat=True))


def test_the_rows_whose_value_is_in_the_list(venues):
    assert ids(["v3", "v1", "v9"]) == ["v1", "v3"]
    assert ids(["v'4", "vé5"]) == ["v'4", "vé5"]
    assert ids([]) == []


def test_one_compiled_statement_serves_lists_of_any_length(venues):
    statement = Prepared(
        lambda values: Venue.objects.filter(InJSON(F("pk"), values))
        .order_by("pk")
        .values_list("pk")
    )

    assert statement.rows(json.dumps(["v2"])) == [("v2",)]
    assert statement.rows(json.dumps(["v1", "v2", "v3"])) == [("v1",), ("v2",), ("v3",)]
    assert len(statement._compiled) == 1


def test_a_uuid_parameter_is_passed_in_the_columns_form():
    """Value(marker) keeps the field from converting the marker; rows() converts a UUID as
    UUIDField stores it (SQLite: 32 hex digits), so the same call matches on both engines."""
    user = UserFactory(email="uuid@example.com")
    UserFactory(email="other@example.com")
    statement = Prepared(
        lambda pk: type(user).objects.filter(pk=Value(pk)).values_list("pk", "email")
    )
    assert statement.rows(user.pk) == [(user.pk, "uuid@example.com")]
    assert statement.rows(uuid.UUID(int=0)) == []
