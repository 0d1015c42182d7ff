"""PupMatch's background jobs (Huey)."""

from huey.contrib.djhuey import db_task

from matching import services


@db_task(retries=3, retry_delay=30)
def photo_thumbnail_job(photo_id: str) -> str | None:
    """The 320 px WebP thumbnail of a freshly uploaded photo."""
    return services.photo_thumbnail_make(photo_id=photo_id)
