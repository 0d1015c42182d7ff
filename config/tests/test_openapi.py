"""The OpenAPI schema describes the shapes and status codes the routes really serve (issue 10)."""

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator

E = "/edgesoul/api/v1/memory"


@pytest.fixture(scope="module")
def schema():
    # The mounts open, as the routes' tests call them (a closed mount adds 401/403 everywhere).
    with override_settings(
        LUNA_ACCESS="open", EDGESOUL_ACCESS="open", LEARNING_ACCESS="open", YAGO_ACCESS="open"
    ):
        return SchemaGenerator().get_schema(request=None, public=True)


def response_schema(schema, path, method="get", code="200"):
    content = schema["paths"][path][method]["responses"][code]["content"]
    node = content["application/json"]["schema"]
    if "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_luna_venues_is_an_object_with_a_venues_array(schema):
    node = response_schema(schema, "/luna/venues")

    assert node["type"] == "object"
    assert node["properties"]["venues"]["type"] == "array"


def test_learning_profiles_is_an_array_of_profiles(schema):
    node = response_schema(schema, "/learning/profiles")

    assert node == {"type": "array", "items": {"$ref": "#/components/schemas/LearnerProfileOut"}}


def test_learning_profile_create_answers_200_as_the_original_did(schema):
    assert set(schema["paths"]["/learning/profiles"]["post"]["responses"]) == {
        "200",
        "400",
        "415",
    }


def test_edgesoul_conversation_messages_is_an_array(schema):
    assert response_schema(schema, f"{E}/conversations/{{user_id}}")["type"] == "array"


def test_edgesoul_emotion_summary_may_be_null(schema):
    node = response_schema(schema, f"{E}/emotions/{{user_id}}/summary")

    assert (node["type"], node["nullable"]) == ("object", True)


def test_edgesoul_context_is_the_context_or_a_message(schema):
    node = response_schema(schema, f"{E}/context/{{user_id}}")

    assert node["oneOf"] == [
        {"$ref": "#/components/schemas/Context"},
        {"$ref": "#/components/schemas/EdgeSoulNoContext"},
    ]


def test_pupmatch_photos_is_an_object_not_a_page(schema):
    node = response_schema(schema, "/pupmatch/photos/")

    assert node["type"] == "object"
    assert (set(node["properties"]), node["required"]) == ({"photos", "message"}, ["photos"])
    assert schema["paths"]["/pupmatch/photos/"]["get"].get("parameters", []) == []


def test_pupmatch_messages_are_cursor_paginated(schema):
    node = response_schema(schema, "/pupmatch/conversations/{id}/messages")
    names = [
        p["name"]
        for p in schema["paths"]["/pupmatch/conversations/{id}/messages"]["get"]["parameters"]
    ]

    assert set(node["properties"]) == {"next", "previous", "results"}
    assert names == ["cursor", "id", "limit"]


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        ("/luna/venues", "get", {"200", "400", "422"}),
        ("/luna/interests", "post", {"200", "400", "404", "415", "422"}),
        ("/luna/action-items/{id}", "delete", {"200", "400", "403", "404", "405", "422"}),
        ("/pupmatch/auth/register", "post", {"201", "400", "409", "415", "429"}),
        ("/pupmatch/auth/login", "post", {"200", "400", "401", "415", "429"}),
        ("/pupmatch/profile", "post", {"201", "400", "401", "403", "404", "409", "415", "429"}),
        ("/pupmatch/profile", "get", {"200", "400", "401", "403", "404", "429"}),
        (f"{E}/memories/{{user_id}}", "delete", {"200", "400", "404", "405"}),
        ("/yago/api/v1/projects/{id}/start", "post", {"200", "400", "404", "405", "409", "422"}),
    ],
)
def test_every_status_code_a_route_gives_is_documented(schema, path, method, codes):
    assert set(schema["paths"][path][method]["responses"]) == codes


def test_errors_are_documented_with_the_project_error_body(schema):
    node = response_schema(schema, "/pupmatch/profile", "get", "404")

    assert node == {
        "type": "object",
        "description": "`detail`: a message, or a list of {field, message, code} for validation errors.",
        "properties": {
            "detail": {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string"},
                                "message": {"type": "string"},
                                "code": {"type": "string"},
                            },
                            "required": ["field", "message", "code"],
                        },
                    },
                ]
            }
        },
        "required": ["detail"],
    }
