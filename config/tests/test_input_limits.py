"""The limits every app's input meets (config/limits.py, parsers.py, pagination.py, ...)."""

import io
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.test import APIRequestFactory

from config.limits import INT32_MAX, MAX_JSON_DEPTH, json_problem
from config.pagination import BoundedLimitOffsetPagination
from config.parsers import SafeJSONParser
from config.renderers import SafeORJSONRenderer


def parse(raw: str):
    return SafeJSONParser().parse(io.BytesIO(raw.encode()), parser_context={})


def parse_error(raw: str) -> str:
    with pytest.raises(ParseError) as error:
        parse(raw)
    return str(error.value.detail)


# --- JSON parser ---------------------------------------------------------------------------


def test_nesting_up_to_the_limit_is_accepted():
    assert parse("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH) == eval(
        "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    )


def test_one_level_deeper_is_refused():
    depth = MAX_JSON_DEPTH + 1
    assert parse_error('{"a":' * depth + "1" + "}" * depth) == (
        "JSON parse error - JSON is nested more than 32 levels deep."
    )


def test_nesting_deeper_than_the_interpreter_can_parse_is_refused():
    assert parse_error("[" * 100_000 + "]" * 100_000) == "JSON parse error - nested too deeply."


@pytest.mark.parametrize("value", [2**63 - 1, -(2**63)])
def test_64_bit_integers_are_accepted(value):
    assert parse(f'{{"n": [{value}]}}') == {"n": [value]}


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_integers_beyond_64_bits_are_refused(value):
    assert parse_error(f'{{"n": {{"deep": {value}}}}}') == (
        "JSON parse error - Integers must fit in 64 bits (-2^63 .. 2^63-1)."
    )


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
def test_non_standard_constants_are_refused(raw):
    assert parse_error(f'{{"n": {raw}}}') == f"JSON parse error - {raw} is not valid JSON"


def test_a_float_beyond_double_range_is_refused():
    assert parse_error('{"n": 1e400}') == "JSON parse error - Numbers must be finite."


@pytest.mark.parametrize("raw", ['{"a": "x\\u0000y"}', '{"a\\u0000": 1}', '[["\\u0000"]]'])
def test_nul_anywhere_is_refused(raw):
    assert parse_error(raw) == "JSON parse error - Null characters are not allowed."


def test_json_problem_accepts_ordinary_documents():
    assert json_problem({"a": [1, 2.5, None, True, "text", {"b": -(2**63)}]}) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/edgesoul/api/v1/memory/memory/u1",
        "/learning/profiles",
        "/yago/api/v1/projects",
        "/pupmatch/auth/login",
        "/luna/interests",
    ],
)
def test_a_100000_deep_array_is_a_400_on_every_json_route(client, url):
    body = "[" * 100_000 + "]" * 100_000

    response = client.post(url, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}


# --- URLs ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/edgesoul/api/v1/memory/memories/u%001",
        "/luna/venues/search?q=caf%00e",
        "/yago/api/v1/projects?status%00=x",
        "/learning/profiles/a%00b",
    ],
)
def test_nul_in_the_path_or_query_is_a_400(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert response.json() == {"detail": "Null characters are not allowed in the URL."}


# --- OPTIONS ---------------------------------------------------------------------------------


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000001", path)


@pytest.mark.django_db
def test_options_never_fails_on_any_route(client):
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    statuses = {path: client.options(concrete(path)).status_code for path in paths}

    assert {path: code for path, code in statuses.items() if code >= 500} == {}
    # Routes that need a token answer 401 like any other method; all others describe themselves.
    assert {path for path, code in statuses.items() if code == 200} >= {
        "/pupmatch/auth/register",
        "/pupmatch/auth/login",
        "/pupmatch/auth/password-reset/request",
        "/pupmatch/auth/password-reset/confirm",
        "/luna/venues",
        "/yago/api/v1/projects",
        "/learning/profiles",
        "/edgesoul/api/v1/memory/memories/search",
    }


@pytest.mark.django_db
def test_options_on_an_auth_route_describes_the_view_without_serializer_introspection(client):
    response = client.options("/pupmatch/auth/login")

    assert response.status_code == 200
    assert set(response.json()) == {"name", "description", "renders", "parses"}
    assert response.json()["parses"] == [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ]


# --- pagination ------------------------------------------------------------------------------


def paginate(query: str):
    request = APIRequestFactory().get(f"/x?{query}")
    from rest_framework.request import Request

    paginator = BoundedLimitOffsetPagination()
    return paginator, paginator.paginate_queryset(list(range(300)), Request(request))


def test_limit_beyond_64_bits_is_capped_at_the_maximum_page_size():
    paginator, page = paginate(f"limit={2**70}")

    assert (paginator.limit, len(page)) == (200, 200)


def test_offset_at_the_bound_is_accepted_and_one_more_is_a_400():
    paginator, page = paginate(f"offset={INT32_MAX}")
    assert (paginator.offset, page) == (INT32_MAX, [])

    with pytest.raises(serializers.ValidationError) as error:
        paginate(f"offset={INT32_MAX + 1}")
    assert error.value.detail == {
        "offset": ["Ensure this value is less than or equal to 2147483647."]
    }


def test_an_offset_that_is_not_a_number_counts_as_zero():
    paginator, page = paginate("offset=abc&limit=2")

    assert (paginator.offset, page) == (0, [0, 1])


# --- renderer --------------------------------------------------------------------------------


def test_a_stored_integer_beyond_64_bits_can_still_be_served():
    assert SafeORJSONRenderer().render({"n": 2**70}) == b'{"n":1180591620717411303424}'


def test_ordinary_data_is_rendered_by_orjson():
    assert SafeORJSONRenderer().render({"n": [1, "a"]}) == b'{"n":[1,"a"]}'


# --- every integer a client can send is bounded the same on both engines -------------------


def request_integers(schema: dict):
    """(where, schema) of every integer a client can send: bodies and parameters."""
    components = schema["components"]["schemas"]

    def walk(node, where, seen):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                yield from walk(components[name], where, seen | {name})
            return
        if node.get("readOnly"):
            return
        if node.get("type") == "integer":
            yield where, node
        for key in ("allOf", "oneOf", "anyOf"):
            for part in node.get(key, []):
                yield from walk(part, where, seen)
        for name, prop in node.get("properties", {}).items():
            yield from walk(prop, f"{where}.{name}", seen)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                yield from walk(node[key], f"{where}[]", seen)

    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                yield from walk(parameter["schema"], f"{label} {parameter['name']}", set())
            for content in operation.get("requestBody", {}).get("content", {}).values():
                yield from walk(content["schema"], f"{label} body", set())


def test_every_integer_a_client_can_send_has_explicit_bounds_within_32_bits():
    # Django's implicit bounds are 64-bit on SQLite and 32-bit on PostgreSQL: a serializer
    # states its own, so the same value is refused on both. Seen through the schema, so it
    # covers query parameters and bodies alike (and documents the bounds for clients).
    schema = SchemaGenerator().get_schema(request=None, public=True)

    unbounded = sorted(
        where
        for where, node in request_integers(schema)
        if not (-(2**31) <= node.get("minimum", -(2**63)) <= node.get("maximum", 2**63) <= INT32_MAX)
    )

    assert unbounded == []
