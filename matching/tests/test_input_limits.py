"""No 5xx on any input: bounded pagination, prompt order, image pixels, OPTIONS (issue 10)."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from matching.models import Photo, Prompt
from matching.tests.factories import (
    FavouriteFactory,
    MessageFactory,
    PlaygroundFactory,
    ProfileFactory,
    make_match,
)

pytestmark = pytest.mark.django_db

HUGE = 2**70


def png_header(width: int, height: int) -> bytes:
    """A valid PNG that claims width × height pixels in ~70 bytes (header and empty data)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


def upload(client, content: bytes):
    return client.post(
        "/pupmatch/photos/upload",
        {"file": SimpleUploadedFile("dog.png", content)},
        format="multipart",
    )


@pytest.mark.parametrize(
    "url", ["/pupmatch/discover", "/pupmatch/playgrounds", "/pupmatch/playgrounds/favourites"]
)
def test_a_limit_beyond_64_bits_is_capped_at_200(me, profile, url):
    FavouriteFactory(user=profile.user, playground=PlaygroundFactory())
    ProfileFactory()

    response = me.get(url, {"limit": HUGE})

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert len(response.json()["results"]) == 1


@pytest.mark.parametrize(
    "url", ["/pupmatch/discover", "/pupmatch/playgrounds", "/pupmatch/matches"]
)
def test_offset_at_2_31_minus_1_is_an_empty_page_and_2_31_is_400(me, profile, url):
    at_bound = me.get(url, {"offset": 2**31 - 1})
    beyond = me.get(url, {"offset": 2**31})

    assert at_bound.status_code == 200
    assert at_bound.json()["results"] == []
    assert beyond.status_code == 400
    assert beyond.json() == {
        "detail": [
            {
                "field": "offset",
                "message": "Ensure this value is less than or equal to 2147483647.",
                "code": "invalid",
            }
        ]
    }


@pytest.mark.parametrize(
    "query", [{"limit": HUGE}, {"cursor": "not-a-cursor"}, {"cursor": "cD3vdmVyZmxvdw=="}]
)
def test_message_history_survives_any_limit_and_cursor(me, profile, query):
    other = ProfileFactory()
    conversation = make_match(profile, other).conversation
    MessageFactory(conversation=conversation, sender=profile.user, recipient=other.user)

    response = me.get(f"/pupmatch/conversations/{conversation.pk}/messages", query)

    if "limit" in query:
        assert response.status_code == 200
        assert len(response.json()["results"]) == 1
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "Invalid cursor"}


@pytest.mark.parametrize(("order", "status"), [(2**31 - 1, 200), (2**31, 400)])
def test_prompt_order_is_bounded_at_2_31_minus_1_on_both_engines(me, profile, order, status):
    response = me.patch(
        "/pupmatch/profile",
        {"prompts": [{"question": "Best trick?", "answer": "Roll over", "order": order}]},
        format="json",
    )

    assert response.status_code == status
    if status == 400:
        assert response.json() == {
            "detail": [
                {
                    "field": "prompts.0.order",
                    "message": "Ensure this value is less than or equal to 2147483647.",
                    "code": "max_value",
                }
            ]
        }
        assert Prompt.objects.count() == 0
    else:
        assert list(Prompt.objects.values_list("order", flat=True)) == [2**31 - 1]


def test_a_116_byte_png_claiming_30000_by_30000_pixels_is_400(me, profile):
    bomb = png_header(30000, 30000)

    response = upload(me, bomb)

    assert response.status_code == 400
    assert response.json() == {
        "detail": [
            {
                "field": "file",
                "message": "Image is larger than 40,000,000 pixels (width × height)",
                "code": "invalid",
            }
        ]
    }
    assert Photo.objects.count() == 0


def test_an_image_of_exactly_40_million_pixels_is_accepted_and_one_row_more_is_not(me, profile):
    at_limit = upload(me, png_header(8000, 5000))
    beyond = upload(me, png_header(8000, 5001))

    assert at_limit.status_code == 201
    assert beyond.status_code == 400
    assert beyond.json()["detail"][0]["message"] == (
        "Image is larger than 40,000,000 pixels (width × height)"
    )
    assert Photo.objects.count() == 1


@pytest.mark.parametrize(
    "url",
    [
        "/pupmatch/auth/register",
        "/pupmatch/auth/login",
        "/pupmatch/auth/password-reset/request",
        "/pupmatch/auth/password-reset/confirm",
    ],
)
def test_options_on_the_auth_routes_is_200(api_client, url):
    response = api_client.options(url)

    assert response.status_code == 200
    assert response.json()["renders"] == ["application/json"]


def test_options_on_a_protected_route_is_200_with_a_token(me, profile):
    response = me.options("/pupmatch/profile")

    assert response.status_code == 200
    assert response.json()["name"] == "Profile"


def test_a_nul_in_a_prompt_is_400(me, profile):
    response = me.patch(
        "/pupmatch/profile",
        {"prompts": [{"question": "Best\x00trick?", "answer": "Roll over"}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - Null characters are not allowed."}


def test_a_prompt_order_beyond_64_bits_is_400(me, profile):
    response = me.patch(
        "/pupmatch/profile",
        {"prompts": [{"question": "Best trick?", "answer": "Roll over", "order": HUGE}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": "JSON parse error - Integers must fit in 64 bits (-2^63 .. 2^63-1)."
    }
