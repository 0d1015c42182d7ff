import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from matching.models import Photo
from matching.tests.conftest import bearer, image_bytes, signed_url
from matching.tests.factories import PhotoFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def upload(client, content: bytes, name: str = "dog.png"):
    return client.post(
        "/pupmatch/photos/upload", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )


@pytest.mark.parametrize("fmt, extension", [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_upload_stores_the_photo(profile, me, fmt, extension, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(me, image_bytes(fmt), name="whatever.gif")
    assert response.status_code == 201
    photo = Photo.objects.get()
    assert photo.image.name == f"pupmatch/photos/{photo.pk}.{extension}"
    assert response.json() == {
        "photo": {
            "id": str(photo.pk),
            "profile_id": str(profile.pk),
            "url": signed_url(f"pupmatch/photos/{photo.pk}.{extension}"),
            "order": 0,
            "created_at": photo.created_at.isoformat().replace("+00:00", "Z"),
            "thumbnail_url": None,  # the thumbnail job runs after the commit
        },
        "message": "Photo uploaded successfully",
    }
    assert default_storage.open(photo.image.name).read() == image_bytes(fmt)
    assert photo.thumbnail.name == f"pupmatch/thumbnails/{photo.pk}.webp"


def test_upload_appends_in_order(profile, me):
    upload(me, image_bytes())
    upload(me, image_bytes())
    assert list(Photo.objects.order_by("order").values_list("order", flat=True)) == [0, 1]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"GIF89a" + b"\x00" * 50, "File is not a valid image"),
        (b"%PDF-1.4 hello", "File is not a valid image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "File is not a valid image"),
    ],
)
def test_upload_checks_content_not_name(profile, me, content, message):
    response = upload(me, content, name="dog.png")
    assert response.status_code == 400
    assert response.json() == {"detail": [{"field": "file", "message": message, "code": "invalid"}]}
    assert Photo.objects.count() == 0


def test_upload_refuses_gif_even_when_valid(profile, me):
    response = upload(me, image_bytes("GIF"), name="dog.jpg")
    assert response.status_code == 400
    assert response.json()["detail"][0]["message"] == "Only JPEG, PNG and WebP images are allowed"


def test_upload_refuses_more_than_10_mb(profile, me):
    big = image_bytes() + b"\x00" * (10 * 1024 * 1024)
    response = upload(me, big)
    assert response.status_code == 400
    assert response.json()["detail"][0]["message"] == "File is larger than 10 MB"


def test_upload_refuses_a_seventh_photo(profile, me):
    for index in range(6):
        PhotoFactory(profile=profile, order=index)
    response = upload(me, image_bytes())
    assert response.status_code == 400
    assert response.json()["detail"][0]["message"] == "A profile can have at most 6 photos"
    assert Photo.objects.count() == 6


def test_upload_without_file_is_400(profile, me):
    response = me.post("/pupmatch/photos/upload", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "file"


def test_upload_without_profile_is_404():
    response = upload(bearer(UserFactory()), image_bytes())
    assert response.status_code == 404
    assert response.json() == {"detail": "Profile not found"}


def test_delete_removes_row_and_file_and_repacks(profile, me, django_capture_on_commit_callbacks):
    photos = [PhotoFactory(profile=profile, order=index) for index in range(3)]
    name = photos[0].image.name
    with django_capture_on_commit_callbacks(execute=True):
        response = me.delete(f"/pupmatch/photos/{photos[0].pk}")
    assert response.status_code == 204
    assert not default_storage.exists(name)
    assert list(Photo.objects.order_by("order").values_list("pk", "order")) == [
        (photos[1].pk, 0),
        (photos[2].pk, 1),
    ]


def test_delete_refused_below_two_photos(profile, me):
    photos = [PhotoFactory(profile=profile, order=index) for index in range(2)]
    response = me.delete(f"/pupmatch/photos/{photos[0].pk}")
    assert response.status_code == 400
    assert response.json()["detail"][0]["message"] == "A profile must keep at least 2 photos"
    assert Photo.objects.count() == 2
    assert default_storage.exists(photos[0].image.name)


def test_delete_another_users_photo_is_404(profile, me):
    other = PhotoFactory(profile=ProfileFactory())
    PhotoFactory.create_batch(3, profile=profile)
    response = me.delete(f"/pupmatch/photos/{other.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Photo not found"}
    assert Photo.objects.filter(pk=other.pk).exists()


def test_reorder(profile, me, rf):
    photos = [PhotoFactory(profile=profile, order=index) for index in range(3)]
    new_order = [photos[2].pk, photos[0].pk, photos[1].pk]
    response = me.put(
        "/pupmatch/photos/reorder", {"photo_ids": [str(pk) for pk in new_order]}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Photos reordered successfully"
    assert [(p["id"], p["order"]) for p in body["photos"]] == [
        (str(pk), index) for index, pk in enumerate(new_order)
    ]
    listed = me.get("/pupmatch/photos/").json()["photos"]
    assert [p["id"] for p in listed] == [str(pk) for pk in new_order]


@pytest.mark.parametrize("case", ["missing_one", "foreign", "repeated", "too_few"])
def test_reorder_must_name_every_photo_once(profile, me, case):
    photos = [PhotoFactory(profile=profile, order=index) for index in range(3)]
    ids = [str(photo.pk) for photo in photos]
    ids = {
        "missing_one": ids[:2],
        "foreign": [*ids[:2], str(PhotoFactory().pk)],
        "repeated": [ids[0], ids[0], ids[1], ids[2]],
        "too_few": ids[:1],
    }[case]
    response = me.put("/pupmatch/photos/reorder", {"photo_ids": ids}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "photo_ids"


@pytest.mark.parametrize("n", [2, 6])
def test_list_query_budget(profile, me, django_assert_num_queries, n):
    photos = [PhotoFactory(profile=profile, order=n - index) for index in range(n)]
    PhotoFactory()  # someone else's
    with django_assert_num_queries(3):  # auth user, own profile, photos
        response = me.get("/pupmatch/photos/")
    assert [p["id"] for p in response.json()["photos"]] == [str(p.pk) for p in reversed(photos)]
