"""Clients for the access tests: an application key, a JWT, nothing."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from config.models import ApplicationKey


def make_key(name: str = "ios-app", *, revoked: bool = False, expired: bool = False, **mounts):
    """(ApplicationKey, raw key) opening the given mounts (`luna=True`, ...)."""
    expiry = timezone.now() - timedelta(seconds=1) if expired else None
    key, raw = ApplicationKey.objects.create_key(name=name, expiry_date=expiry, **mounts)
    if revoked:
        key.revoked = True
        key.save()
    return key, raw


def key_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    return client


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


KEY_REQUIRED = {"detail": "An application key is required: send it in the X-API-Key header."}
KEY_INVALID = {"detail": "Invalid, revoked or expired application key."}
TOKEN_REQUIRED = {"detail": "A token is required: send it as Authorization: Bearer <token>."}
NOT_YOUR_USER_ID = {"detail": "user_id must be your own user id."}


def wrong_mount(path: str) -> dict:
    return {"detail": f"This application key does not open {path}."}
