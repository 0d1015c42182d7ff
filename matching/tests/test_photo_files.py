"""Photo files: signed URLs served by a view, fixed windows, 403s, thumbnails, no orphan files."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from matching import services
from matching.models import Photo
from matching.tests.conftest import PHOTO_CLOCK, PHOTO_EXPIRES, image_bytes, signed_url
from matching.tests.factories import PhotoFactory

pytestmark = pytest.mark.django_db


def relative(url: str) -> str:
    return url.removeprefix("http://testserver")


def upload_now(me, content: bytes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = me.post(
            "/pupmatch/photos/upload",
            {"file": SimpleUploadedFile("dog.jpg", content)},
            format="multipart",
        )
    assert response.status_code == 201
    return Photo.objects.get(pk=response.json()["photo"]["id"])


def stored_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_signed_url_returns_the_image_with_caching_headers(
    profile, me, client, django_capture_on_commit_callbacks
):
    photo = upload_now(me, image_bytes("JPEG"), django_capture_on_commit_callbacks)
    [listed] = me.get("/pupmatch/photos/").json()["photos"]

    response = client.get(relative(listed["url"]))  # no session, no token

    assert listed["url"] == signed_url(photo.image.name)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == image_bytes("JPEG")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == f"private, max-age={PHOTO_EXPIRES - PHOTO_CLOCK}, immutable"
    assert response["Expires"] == "Sun, 29 Nov 2026 21:00:00 GMT"


def test_the_url_is_the_same_within_a_window_and_changes_after(profile, me, photo_clock):
    photo = PhotoFactory(profile=profile)
    window_end = PHOTO_EXPIRES - 3600  # 2026-11-29 20:00 UTC

    photo_clock["value"] = window_end - 3600  # the window's first second
    first = me.get("/pupmatch/photos/").json()["photos"][0]["url"]
    photo_clock["value"] = window_end - 1  # its last second
    last = me.get("/pupmatch/photos/").json()["photos"][0]["url"]
    photo_clock["value"] = window_end  # the next window
    after = me.get("/pupmatch/photos/").json()["photos"][0]["url"]

    assert first == last == signed_url(photo.image.name)
    assert after == signed_url(photo.image.name, expires=PHOTO_EXPIRES + 3600)


def test_an_expired_url_is_403_at_its_expiry_not_a_second_before(
    profile, me, client, photo_clock, django_capture_on_commit_callbacks
):
    upload_now(me, image_bytes(), django_capture_on_commit_callbacks)
    url = relative(me.get("/pupmatch/photos/").json()["photos"][0]["url"])

    photo_clock["value"] = PHOTO_EXPIRES - 1
    assert client.get(url).status_code == 200
    photo_clock["value"] = PHOTO_EXPIRES
    response = client.get(url)
    assert (response.status_code, response.content) == (403, b"Expired photo URL")


@pytest.mark.parametrize(
    "change",
    [
        lambda url: url.replace("signature=", "signature=x"),
        lambda url: url.replace(f"expires={PHOTO_EXPIRES}", f"expires={PHOTO_EXPIRES + 3600}"),
        lambda url: url.replace(".png", ".jpg"),
        lambda url: url.split("?")[0],
        lambda url: url.replace(f"expires={PHOTO_EXPIRES}", "expires=soon"),
    ],
    ids=["signature", "expiry", "name", "unsigned", "not-a-number"],
)
def test_a_tampered_url_is_403(profile, me, client, change, django_capture_on_commit_callbacks):
    upload_now(me, image_bytes(), django_capture_on_commit_callbacks)
    url = relative(me.get("/pupmatch/photos/").json()["photos"][0]["url"])

    response = client.get(change(url))

    assert (response.status_code, response.content) == (403, b"Invalid photo URL")


def test_the_thumbnail_is_320_px_wide_webp_made_after_the_upload(
    profile, me, client, django_capture_on_commit_callbacks
):
    photo = upload_now(me, image_bytes("PNG", size=(1000, 750)), django_capture_on_commit_callbacks)

    [listed] = me.get("/pupmatch/photos/").json()["photos"]
    response = client.get(relative(listed["thumbnail_url"]))

    assert listed["thumbnail_url"] == signed_url(f"pupmatch/thumbnails/{photo.pk}.webp")
    assert response["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (320, 240))


def test_a_small_photo_keeps_its_size_in_the_thumbnail(
    profile, me, django_capture_on_commit_callbacks
):
    photo = upload_now(me, image_bytes("PNG", size=(319, 10)), django_capture_on_commit_callbacks)

    with default_storage.open(photo.thumbnail.name) as handle, Image.open(handle) as thumbnail:
        assert thumbnail.size == (319, 10)


@pytest.mark.django_db(transaction=True)
def test_a_photo_saved_by_a_request_that_rolled_back_leaves_no_file(profile):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.photo_upload(profile=profile, upload=SimpleUploadedFile("dog.png", image_bytes()))
        raise RuntimeError("a later step of the request failed")

    assert Photo.objects.count() == 0
    assert stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_upload_stores_the_photo_and_its_thumbnail(profile):
    photo = services.photo_upload(
        profile=profile, upload=SimpleUploadedFile("dog.png", image_bytes())
    )

    assert stored_files() == [
        f"pupmatch/photos/{photo.pk}.png",
        f"pupmatch/thumbnails/{photo.pk}.webp",
    ]


def test_deleting_a_photo_removes_its_file_and_thumbnail(
    profile, me, django_capture_on_commit_callbacks
):
    photos = [upload_now(me, image_bytes(), django_capture_on_commit_callbacks) for _ in range(3)]
    assert len(stored_files()) == 6

    with django_capture_on_commit_callbacks(execute=True):
        assert me.delete(f"/pupmatch/photos/{photos[0].pk}").status_code == 204

    assert stored_files() == sorted(
        [f"pupmatch/photos/{p.pk}.png" for p in photos[1:]]
        + [f"pupmatch/thumbnails/{p.pk}.webp" for p in photos[1:]]
    )


def test_deleting_the_account_removes_every_photo_file(
    profile, me, django_capture_on_commit_callbacks
):
    for _ in range(2):
        upload_now(me, image_bytes(), django_capture_on_commit_callbacks)
    other = PhotoFactory()
    assert len(stored_files()) == 5

    with django_capture_on_commit_callbacks(execute=True):
        assert me.delete("/pupmatch/auth/me").status_code in (200, 204)

    assert stored_files() == [other.image.name]


@pytest.mark.parametrize(
    "name",
    [
        "pupmatch/photos/3f2a.jpg",
        "pupmatch/photos/with space & ümlaut%.png",
        "legacy/a;b=c,d/(1)+[2]#?.webp",
        "pupmatch/../photos/./x.jpg",
        "",
    ],
)
def test_photo_urls_for_a_page_are_photo_url_one_by_one(rf, settings, name):
    """Discovery signs a page of URLs with the prefix and host worked out once: the same URLs."""
    from matching.photos import photo_url, photo_urls

    settings.ALLOWED_HOSTS = ["dogs.example"]
    request = rf.get("/pupmatch/discover", HTTP_HOST="dogs.example:8443", secure=True)
    assert photo_urls(request=request, now=PHOTO_CLOCK)(name) == photo_url(
        name, request=request, now=PHOTO_CLOCK
    )
    assert photo_urls(now=PHOTO_CLOCK)(name) == photo_url(name, now=PHOTO_CLOCK)
