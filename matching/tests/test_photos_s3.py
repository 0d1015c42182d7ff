"""Photos on S3 (django-storages) against a real S3-compatible server started here: moto's
server mode on a free port of 127.0.0.1 (never the internet)."""

import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from matching import legacy
from matching.models import Photo
from matching.photos import is_s3
from matching.tests.conftest import image_bytes
from matching.tests.test_legacy import LEO, fill, legacy_db, u  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bucket(s3_bucket, settings):
    """A fresh bucket (conftest's moto server), the default storage as STORAGE_URL sets it."""
    client, name, options = s3_bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    assert is_s3()
    return client, name


def keys(bucket) -> list[str]:
    client, name = bucket
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", []))


def fetch(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read()


def test_upload_url_and_delete_on_s3(profile, me, bucket, django_capture_on_commit_callbacks):
    photos = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = me.post(
                "/pupmatch/photos/upload",
                {"file": SimpleUploadedFile("dog.jpg", image_bytes("JPEG", size=(640, 480)))},
                format="multipart",
            )
        assert response.status_code == 201
        photos.append(Photo.objects.get(pk=response.json()["photo"]["id"]))

    assert keys(bucket) == sorted(
        [f"media/pupmatch/photos/{p.pk}.jpg" for p in photos]
        + [f"media/pupmatch/thumbnails/{p.pk}.webp" for p in photos]
    )
    listed = me.get("/pupmatch/photos/").json()["photos"]
    assert f"/{bucket[1]}/media/pupmatch/photos/{photos[0].pk}.jpg?" in listed[0]["url"]
    assert "X-Amz-Signature=" in listed[0]["url"] and "X-Amz-Expires=7200" in listed[0]["url"]
    assert fetch(listed[0]["url"]) == (200, image_bytes("JPEG", size=(640, 480)))
    status, thumbnail = fetch(listed[0]["thumbnail_url"])
    assert (status, thumbnail[:4], thumbnail[8:12]) == (200, b"RIFF", b"WEBP")
    # The same presigned URL within the window (caches keep working).
    assert me.get("/pupmatch/photos/").json()["photos"][0]["url"] == listed[0]["url"]

    with django_capture_on_commit_callbacks(execute=True):
        assert me.delete(f"/pupmatch/photos/{photos[0].pk}").status_code == 204

    assert keys(bucket) == sorted(
        [f"media/pupmatch/photos/{p.pk}.jpg" for p in photos[1:]]
        + [f"media/pupmatch/thumbnails/{p.pk}.webp" for p in photos[1:]]
    )


def test_presigned_urls_change_with_the_window(profile, bucket, photo_clock):
    photo = Photo.objects.create(profile=profile, image="pupmatch/photos/x.jpg")
    from matching.photos import photo_url

    first = photo_url(photo.image.name)
    photo_clock["value"] += 3600

    assert photo_url(photo.image.name) != first
    assert "X-Amz-Date=20261129T190000Z" in first


@pytest.mark.postgres
def test_import_legacy_copies_photos_into_s3(legacy_db, bucket, tmp_path):  # noqa: F811
    conn, url = legacy_db
    fill(conn, uploads=tmp_path)

    legacy.run(f"{url}?uploads={tmp_path}")

    photo = Photo.objects.get()
    assert keys(bucket) == [f"media/pupmatch/photos/{u(0x201)}.jpg"]
    assert default_storage.open(photo.image.name).read() == image_bytes("JPEG")
