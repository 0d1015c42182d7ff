"""The generated-projects folder: MEDIA_ROOT / YAGO_GENERATED_DIR / <project id>/, or with S3
configured the bucket's <prefix>/YAGO_GENERATED_DIR/<project id>/ (the `generated_projects`
storage of config/settings.py), which every app server sees.

On disk, writes go to a staging folder first and are swapped in whole, so a project's folder is
either the previous generation or the new one, never half of each. S3 has no rename: every path
is checked before the first upload, the new files are uploaded (replacing the old under the same
names), then the old generation's other files are deleted. The API reads the files from the
database (GeneratedFile rows), never from here, so a reader never sees a half-written tree.
"""

import shutil
import uuid
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from projects.providers.base import InvalidPath, SourceFile, clean_relative_path

GENERATED_STORAGE = "generated_projects"


def shared_storage():
    """The object storage for generated projects when S3 is configured, else None (a folder)."""
    return storages[GENERATED_STORAGE] if GENERATED_STORAGE in settings.STORAGES else None


def _shared_names(storage, project_id) -> list[str]:
    """The project's files in the bucket, by relative path."""
    prefix = "/".join(filter(None, [storage.location, str(project_id)])) + "/"
    try:
        return sorted(
            item.key[len(prefix) :] for item in storage.bucket.objects.filter(Prefix=prefix)
        )
    except (BotoCoreError, ClientError) as error:
        raise OSError(f"object storage: {error}") from error


def _shared_write(storage, project_id, files: list[SourceFile]) -> None:
    paths = [clean_relative_path(file.path) for file in files]  # all refused before any write
    try:
        stale = set(_shared_names(storage, project_id)) - set(paths)
        for file, path in zip(files, paths, strict=True):
            storage.save(f"{project_id}/{path}", ContentFile(file.content.encode("utf-8")))
        for path in sorted(stale):
            storage.delete(f"{project_id}/{path}")
    except (BotoCoreError, ClientError) as error:
        raise OSError(f"object storage: {error}") from error


def generated_root() -> Path:
    folder = Path(settings.YAGO_GENERATED_DIR)
    return folder if folder.is_absolute() else Path(settings.MEDIA_ROOT) / folder


def project_dir(project_id) -> Path:
    return generated_root() / str(project_id)


def project_path_value(project_id) -> str:
    """What `project_path` holds: the folder relative to MEDIA_ROOT (absolute if configured so)."""
    folder = Path(settings.YAGO_GENERATED_DIR)
    return str(folder / str(project_id))


def resolve_file(project_id, path: str) -> Path:
    """The file's absolute path inside the project folder; InvalidPath for anything escaping it."""
    relative = clean_relative_path(path)
    base = project_dir(project_id).resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base):
        raise InvalidPath("Invalid file path")
    return target


def tree_exists(project_id) -> bool:
    """Whether the project has files; OSError when the object storage can't be read."""
    shared = shared_storage()
    if shared is not None:
        return bool(_shared_names(shared, project_id))
    return project_dir(project_id).exists()


def write_tree(project_id, files: list[SourceFile]) -> None:
    """Replace the project's folder with exactly `files` (all or nothing on disk)."""
    shared = shared_storage()
    if shared is not None:
        _shared_write(shared, project_id, files)
        return
    root = generated_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".{project_id}.staging-{uuid.uuid4().hex[:8]}"
    try:
        for file in files:
            target = staging / clean_relative_path(file.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(file.content, encoding="utf-8", newline="")
        final = project_dir(project_id)
        retired = None
        if final.exists():
            retired = root / f".{project_id}.old-{uuid.uuid4().hex[:8]}"
            final.rename(retired)
        staging.rename(final)
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_tree(project_id) -> None:
    """Delete the project's files; OSError when the object storage fails."""
    shared = shared_storage()
    if shared is not None:
        try:
            for path in _shared_names(shared, project_id):
                shared.delete(f"{project_id}/{path}")
        except (BotoCoreError, ClientError) as error:
            raise OSError(f"object storage: {error}") from error
        return
    shutil.rmtree(project_dir(project_id), ignore_errors=True)


def disk_files(project_id) -> dict[str, bytes]:
    """Every file under the project's folder, by relative path (for consistency checks)."""
    shared = shared_storage()
    if shared is not None:
        files = {}
        for path in _shared_names(shared, project_id):
            with shared.open(f"{project_id}/{path}", "rb") as handle:
                files[path] = handle.read()
        return files
    base = project_dir(project_id)
    if not base.exists():
        return {}
    return {
        path.relative_to(base).as_posix(): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file()
    }


__all__ = [
    "InvalidPath",
    "disk_files",
    "generated_root",
    "project_dir",
    "project_path_value",
    "remove_tree",
    "resolve_file",
    "shared_storage",
    "tree_exists",
    "write_tree",
]
