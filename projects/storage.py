"""The generated-projects folder: MEDIA_ROOT / YAGO_GENERATED_DIR / <project id>/.

Writes go to a staging folder first and are swapped in whole, so a project's folder is either
the previous generation or the new one, never half of each.
"""

import shutil
import uuid
from pathlib import Path

from django.conf import settings

from projects.providers.base import InvalidPath, SourceFile, clean_relative_path


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


def write_tree(project_id, files: list[SourceFile]) -> Path:
    """Replace the project's folder with exactly `files` (all or nothing)."""
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
    return final


def remove_tree(project_id) -> None:
    shutil.rmtree(project_dir(project_id), ignore_errors=True)


def disk_files(project_id) -> dict[str, bytes]:
    """Every file under the project's folder, by relative path (for consistency checks)."""
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
    "write_tree",
]
