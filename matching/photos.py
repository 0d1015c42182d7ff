"""Photo files people can see: signed, expiring URLs, the view serving them, thumbnails.

A URL is valid until the end of the next fixed window of PHOTO_URL_TTL seconds (so between one
and two TTLs from when it was made): within a window the same photo gets the same URL, and
caches and ETags keep working.

- File system storage: `/pupmatch/media/<name>?expires=<epoch>&signature=<hmac>`, served by
  `photo_file` after checking the signature and the expiry (not the session: an <img> tag sends
  no token); tampered or expired → 403.
- S3 (django-storages): a presigned GET URL signed at the window's start, so it is the same
  within the window too.
"""

import functools
import mimetypes
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.http import FileResponse, HttpResponseForbidden
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import RFC3986_SUBDELIMS, http_date
from PIL import Image, ImageOps

SALT = "pupmatch.photo-url"
THUMBNAIL_WIDTH = 320
# photo_urls' signed paths, per process: within a window a photo keeps its URL, and nearby
# viewers' discovery pages show the same photos (an HMAC was most of a card's cost).
SIGNED_PATHS_CACHED = 4096


def _clock() -> float:
    return time.time()


def window_expiry(now: float | None = None) -> int:
    """The end of the next window: the same for every URL made within one window."""
    ttl = max(int(settings.PHOTO_URL_TTL), 1)
    now = _clock() if now is None else now
    return (int(now) // ttl + 2) * ttl


def _signature(name: str, expires: int) -> str:
    return signing.Signer(salt=SALT).signature(f"{name}:{expires}")


@functools.lru_cache(maxsize=SIGNED_PATHS_CACHED)
def _signed_path(name: str, expires: int, key: str) -> str:
    # reverse() quotes the path argument just so (django.urls.resolvers).
    path = quote(name, safe=RFC3986_SUBDELIMS + "/~:@")
    signature = signing.Signer(key=key, salt=SALT).signature(f"{name}:{expires}")
    return f"{path}?expires={expires}&signature={signature}"


def is_s3() -> bool:
    return type(storages["default"]).__module__.startswith("storages.backends.s3")


def photo_url(name: str, *, request=None, now: float | None = None) -> str | None:
    """A signed URL for the stored file `name` (None for no file)."""
    if not name:
        return None
    expires = window_expiry(now)
    if is_s3():
        return _presigned(name, expires)
    path = reverse("pupmatch-photo-file", kwargs={"name": name})
    url = f"{path}?expires={expires}&signature={_signature(name, expires)}"
    return request.build_absolute_uri(url) if request is not None else url


def photo_urls(*, request=None, now: float | None = None) -> Callable[[str], str | None]:
    """photo_url for many files: the window, the signer, the route's prefix and the host are
    worked out once (a discovery page signs a hundred URLs; reverse() per photo was most of it).
    """
    expires = window_expiry(now)
    if is_s3():
        return lambda name: _presigned(name, expires) if name else None
    key = settings.SECRET_KEY
    prefix = reverse("pupmatch-photo-file", kwargs={"name": "-"})[:-1]
    if request is not None:
        prefix = request.build_absolute_uri(prefix)

    def url(name: str) -> str | None:
        if not name:
            return None
        if "/./" in f"/{name}" or "/../" in f"/{name}":  # build_absolute_uri resolves those
            return photo_url(name, request=request, now=now)
        return prefix + _signed_path(name, expires, key)

    return url


def photo_file(request, name: str):
    """Serve a photo from the file system storage when its URL's signature and expiry hold."""
    expires = request.GET.get("expires", "")
    signature = request.GET.get("signature", "")
    if not expires.isdigit() or not constant_time_compare(
        signature, _signature(name, int(expires))
    ):
        return HttpResponseForbidden("Invalid photo URL", content_type="text/plain")
    remaining = int(expires) - int(_clock())
    if remaining <= 0:
        return HttpResponseForbidden("Expired photo URL", content_type="text/plain")
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return HttpResponseForbidden("Invalid photo URL", content_type="text/plain")
    response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0] or "image/jpeg")
    # Private: the URL is a capability for the users the API showed it to; shared caches keep out.
    response["Cache-Control"] = f"private, max-age={remaining}, immutable"
    response["Expires"] = http_date(int(expires))
    response["ETag"] = f'"{_signature(name, 0)[:27]}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- S3: presigned at the window's start ---------------------------------------------------

_signing_time = threading.local()


def _install_signing_clock() -> None:
    """botocore signs with its clock; within `_signed_at` it uses ours (this thread only)."""
    import botocore.auth

    if getattr(botocore.auth.get_current_datetime, "_pupmatch", False):
        return
    original = botocore.auth.get_current_datetime

    def current_datetime(*args, **kwargs):
        fixed = getattr(_signing_time, "value", None)
        return fixed if fixed is not None else original(*args, **kwargs)

    current_datetime._pupmatch = True
    botocore.auth.get_current_datetime = current_datetime


@contextmanager
def _signed_at(moment: datetime):
    _install_signing_clock()
    _signing_time.value = moment
    try:
        yield
    finally:
        _signing_time.value = None


def _presigned(name: str, expires: int) -> str:
    ttl = max(int(settings.PHOTO_URL_TTL), 1)
    start = expires - 2 * ttl
    moment = datetime.fromtimestamp(start, UTC).replace(tzinfo=None)
    with _signed_at(moment):
        return default_storage.url(name, expire=2 * ttl)


# --- Thumbnails -----------------------------------------------------------------------------


def thumbnail_name(name: str) -> str:
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f"pupmatch/thumbnails/{stem}.webp"


def make_thumbnail(name: str) -> str:
    """Write a THUMBNAIL_WIDTH px wide WebP of the stored image; its storage name."""
    with default_storage.open(name, "rb") as handle, Image.open(handle) as image:
        image = ImageOps.exif_transpose(image)
        if image.width > THUMBNAIL_WIDTH:
            height = max(round(image.height * THUMBNAIL_WIDTH / image.width), 1)
            image = image.resize((THUMBNAIL_WIDTH, height), Image.Resampling.LANCZOS)
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        buffer = BytesIO()
        image.save(buffer, "WEBP", quality=80)
    target = thumbnail_name(name)
    default_storage.delete(target)
    return default_storage.save(target, ContentFile(buffer.getvalue()))
