import io

import pytest
from PIL import Image
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from matching.tests.factories import ProfileFactory


def bearer(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


@pytest.fixture
def profile(db):
    return ProfileFactory(name="Rex")


@pytest.fixture
def client_for():
    return bearer


@pytest.fixture
def me(profile):
    return bearer(profile.user)


def image_bytes(fmt: str = "PNG", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


# Photo URLs are signed for fixed windows (matching/photos.py): tests freeze the clock.
PHOTO_CLOCK = 1_795_980_000  # 2026-11-29 19:20 UTC, in the window 19:00-20:00
PHOTO_EXPIRES = 1_795_986_000  # the end of the next window: 21:00 UTC


@pytest.fixture(autouse=True)
def photo_clock(monkeypatch, settings):
    settings.PHOTO_URL_TTL = 3600
    now = {"value": float(PHOTO_CLOCK)}
    monkeypatch.setattr("matching.photos._clock", lambda: now["value"])
    return now


def signed_url(name: str, expires: int = PHOTO_EXPIRES) -> str:
    from django.core import signing

    signature = signing.Signer(salt="pupmatch.photo-url").signature(f"{name}:{expires}")
    return f"http://testserver/pupmatch/media/{name}?expires={expires}&signature={signature}"
