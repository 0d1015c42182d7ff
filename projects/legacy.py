"""Import YAGO's original SQLite store (`yago.db`, see contracts/legacy-stores.md, YAGO section).

Everything is read and validated first; then one transaction writes what is new. Legacy UUIDs are
kept as primary keys, so a second run finds every row again: a row whose key already exists is
`unchanged` when equal and otherwise rejected (kept as it is here: a re-import never overwrites
what users changed since). Bad input (missing table or column, wrong column type, a value that
cannot be decoded, a dangling foreign key, an unreadable or truncated file) raises
LegacyImportError naming the table and row, before anything is written.

The original wrote generated code to `generated_projects/<id>/` beside its working directory and
never filled `generated_files`: for projects without file rows, the text files of that folder
(when it sits beside the store) become file rows too, reported as `generated_projects`.
Legacy `actual_cost` is kept as written (the original had no usage rows to sum); a zero
`cost_estimate` is replaced by the estimate new projects get.
"""

import hashlib
import json
import shutil
import sqlite3
import tempfile
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from config.audit import audit_batch, audit_bulk_write
from config.legacy import ImportReport, LegacyImportError, Progress
from projects.models import (
    ClarificationSession,
    Depth,
    GeneratedFile,
    Project,
    ProjectStatus,
    ProviderName,
    ProviderUsage,
)
from projects.pricing import SIX_PLACES, estimate_project_cost
from projects.providers.base import InvalidPath, clean_relative_path
from projects.services import file_type_for

TEXT, INT, REAL, TIME, BOOL = "text", "int", "real", "time", "bool"
# Columns read (by name; extra columns and tables are ignored) and the declared type family each
# must have. Declared types as SQLAlchemy wrote them: VARCHAR(n)/TEXT, INTEGER, FLOAT, TIMESTAMP,
# BOOLEAN.
SCHEMA: dict[str, dict[str, str]] = {
    "users": {
        "id": TEXT,
        "email": TEXT,
        "hashed_password": TEXT,
        "full_name": TEXT,
        "is_active": BOOL,
        "is_verified": BOOL,
        "created_at": TIME,
        "updated_at": TIME,
        "last_login": TIME,
    },
    "projects": {
        "id": TEXT,
        "name": TEXT,
        "description": TEXT,
        "status": TEXT,
        "progress": INT,
        "brief": TEXT,
        "config": TEXT,
        "primary_model": TEXT,
        "agent_role": TEXT,
        "strategy": TEXT,
        "temperature": REAL,
        "max_tokens": INT,
        "created_at": TIME,
        "updated_at": TIME,
        "started_at": TIME,
        "completed_at": TIME,
        "project_path": TEXT,
        "cost_estimate": REAL,
        "actual_cost": REAL,
        "files_generated": INT,
        "lines_of_code": INT,
        "errors": TEXT,
        "logs": TEXT,
        "user_id": TEXT,
    },
    "clarification_sessions": {
        "id": TEXT,
        "project_id": TEXT,
        "project_idea": TEXT,
        "depth": TEXT,
        "questions": TEXT,
        "answers": TEXT,
        "current_question": INT,
        "total_questions": INT,
        "is_completed": BOOL,
        "ai_provider": TEXT,
        "created_at": TIME,
        "updated_at": TIME,
        "completed_at": TIME,
    },
    "generated_files": {
        "id": TEXT,
        "project_id": TEXT,
        "file_path": TEXT,
        "file_type": TEXT,
        "content": TEXT,
        "size": INT,
        "lines": INT,
        "ai_provider": TEXT,
        "generated_at": TIME,
    },
    "ai_provider_usage": {
        "id": TEXT,
        "project_id": TEXT,
        "provider": TEXT,
        "model": TEXT,
        "request_type": TEXT,
        "prompt_tokens": INT,
        "completion_tokens": INT,
        "total_tokens": INT,
        "cost": REAL,
        "latency_ms": INT,
        "success": BOOL,
        "error_message": TEXT,
        "created_at": TIME,
    },
}
TABLES = list(SCHEMA)  # dependency order
DECLARED = {  # declared type (upper-case, without length) → family
    "VARCHAR": TEXT,
    "TEXT": TEXT,
    "CHAR": TEXT,
    "INTEGER": INT,
    "INT": INT,
    "BIGINT": INT,
    "FLOAT": REAL,
    "REAL": REAL,
    "DOUBLE": REAL,
    "NUMERIC": REAL,
    "TIMESTAMP": TIME,
    "DATETIME": TIME,
    "BOOLEAN": BOOL,
}
NOT_NULL = {
    "users": {"id", "email", "hashed_password"},
    "projects": {"id", "name", "status"},
    "clarification_sessions": {"id", "project_idea", "depth", "questions", "total_questions"},
    "generated_files": {"id", "file_path"},
    "ai_provider_usage": {"id", "provider", "model"},
}
BATCH = 2000
ACTOR = "migration"


def _fail(table: str, row: object, problem: str):
    raise LegacyImportError(table, row, problem)


# --- Reading -----------------------------------------------------------------------------------


@contextmanager
def _connect(source: Path):
    """Read-only connection; a WAL store in a read-only folder is read from a copy with its
    -wal/-shm files (never the main file alone)."""
    name = source.name
    if not source.is_file():
        _fail(name, "-", f"file not found: {source}")
    copy_dir = None
    try:
        try:
            connection = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            copy_dir = Path(tempfile.mkdtemp(prefix="yago-legacy-"))
            for suffix in ("", "-wal", "-shm"):
                sibling = source.with_name(source.name + suffix)
                if sibling.exists():
                    shutil.copy2(sibling, copy_dir / sibling.name)
            connection = sqlite3.connect(copy_dir / source.name)
        except sqlite3.DatabaseError as error:
            _fail(name, "-", f"not a readable SQLite database ({error}): truncated or damaged?")
        try:
            yield connection
        finally:
            connection.close()
    finally:
        if copy_dir is not None:
            shutil.rmtree(copy_dir, ignore_errors=True)


def _check_schema(connection, name: str) -> None:
    try:
        present = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as error:
        _fail(name, "-", f"not a readable SQLite database ({error}): truncated or damaged?")
    for table, columns in SCHEMA.items():
        if table not in present:
            _fail(table, "-", "table is missing")
        declared = {
            row[1]: row[2].upper().split("(")[0].strip()
            for row in connection.execute(f'PRAGMA table_info("{table}")')
        }
        for column, family in columns.items():
            if column not in declared:
                _fail(table, "-", f"column {column} is missing")
            found = DECLARED.get(declared[column])
            if found != family:
                _fail(
                    table,
                    "-",
                    f"column {column} is declared {declared[column] or 'untyped'}, "
                    f"expected {family}",
                )


def _read(connection, table: str, progress: Progress | None) -> list[dict]:
    columns = list(SCHEMA[table])
    select = ", ".join(f'"{column}"' for column in columns)
    rows: list[dict] = []
    try:
        total = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        cursor = connection.execute(f'SELECT rowid, {select} FROM "{table}" ORDER BY rowid')
        for raw in cursor:
            row = dict(zip(columns, raw[1:], strict=True))
            row["_rowid"] = raw[0]
            rows.append(row)
            if progress and len(rows) % BATCH == 0:
                progress(table, len(rows), total)
    except sqlite3.DatabaseError as error:
        _fail(table, len(rows) + 1, f"cannot be read ({error}): truncated or damaged?")
    if progress:
        progress(table, len(rows), len(rows))
    return rows


# --- Decoding ----------------------------------------------------------------------------------


def _label(row: dict):
    return row["id"] if isinstance(row.get("id"), str) and row["id"] else f"rowid {row['_rowid']}"


def _check_types(table: str, row: dict) -> None:
    for column, family in SCHEMA[table].items():
        value = row[column]
        if value is None:
            if column in NOT_NULL[table]:
                _fail(table, _label(row), f"{column} is NULL")
            continue
        ok = {
            TEXT: isinstance(value, str),
            TIME: isinstance(value, str),
            INT: isinstance(value, int),
            REAL: isinstance(value, int | float),
            BOOL: isinstance(value, int) and value in (0, 1),
        }[family]
        if not ok:
            kind = type(value).__name__
            _fail(table, _label(row), f"{column} holds {kind} {value!r}, expected {family}")


def _uuid(table: str, row: dict, column: str) -> uuid.UUID | None:
    value = row[column]
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        _fail(table, _label(row), f"{column} {value!r} is not a UUID")


def _time(table: str, row: dict, column: str) -> datetime | None:
    """`YYYY-MM-DD HH:MM:SS.ffffff`, naive UTC."""
    value = row[column]
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        _fail(table, _label(row), f"{column} {value!r} is not a timestamp")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _json(table: str, row: dict, column: str, kind: type, default):
    """JSON in TEXT; double-encoded documents (PostgreSQL-era rows) are decoded twice."""
    value = row[column]
    if value is None:
        return default
    try:
        decoded = json.loads(value)
        if isinstance(decoded, str) and kind is not str:
            decoded = json.loads(decoded)
    except (json.JSONDecodeError, TypeError):
        _fail(table, _label(row), f"{column} is not valid JSON")
    if decoded is None:  # Python None stored as the text `null`
        return default
    if not isinstance(decoded, kind):
        _fail(table, _label(row), f"{column} is not a JSON {kind.__name__}")
    return decoded


def _money(table: str, row: dict, column: str) -> Decimal:
    value = row[column] or 0
    try:
        amount = Decimal(str(value)).quantize(SIX_PLACES)
    except InvalidOperation:
        _fail(table, _label(row), f"{column} {value!r} is not a number")
    if amount < 0 or not amount.is_finite():
        _fail(table, _label(row), f"{column} {value!r} is negative")
    return amount


def _count(table: str, row: dict, column: str) -> int:
    value = row[column] or 0
    if value < 0:
        _fail(table, _label(row), f"{column} {value!r} is negative")
    return value


def _text(row: dict, column: str, default: str = "", limit: int | None = None) -> str:
    value = row[column]
    value = default if value is None else value
    return value[:limit] if limit else value


def _error_entry(table: str, row: dict, entry) -> dict:
    # Two legacy shapes: {"timestamp", "error"} (PUT) and {"message", "timestamp"} (/execute).
    if isinstance(entry, dict) and ("error" in entry or "message" in entry):
        return {
            "timestamp": entry.get("timestamp"),
            "error": entry.get("error", entry.get("message")),
        }
    _fail(table, _label(row), f"errors entry {entry!r} has neither error nor message")


# --- Building ----------------------------------------------------------------------------------


def _user_values(row: dict) -> dict:
    table = "users"
    stored = row["hashed_password"]
    # Plain bcrypt hashes verify with Django's BCryptPasswordHasher once prefixed.
    password = f"bcrypt${stored}" if stored.startswith(("$2a$", "$2b$", "$2y$")) else "!"
    return {
        "id": _uuid(table, row, "id"),
        "email": row["email"].strip().lower(),
        "password": password,
        "is_active": True if row["is_active"] is None else bool(row["is_active"]),
        "created_at": _time(table, row, "created_at") or _time(table, row, "updated_at"),
        "last_login": _time(table, row, "last_login"),
    }


def _project_values(row: dict, owners: dict[str, uuid.UUID]) -> dict:
    table = "projects"
    label = _label(row)
    status = row["status"]
    if status not in ProjectStatus.values:
        _fail(table, label, f"status {status!r} is not one of {', '.join(ProjectStatus.values)}")
    owner = None
    if row["user_id"] is not None:
        if row["user_id"] not in owners:
            _fail(table, label, f"user_id {row['user_id']} is not in users")
        owner = owners[row["user_id"]]
    brief = _json(table, row, "brief", dict, {})
    max_tokens = row["max_tokens"] if row["max_tokens"] is not None else 4000
    if max_tokens < 0:
        _fail(table, label, f"max_tokens {max_tokens} is negative")
    primary_model = _text(row, "primary_model", "unknown", 100)
    estimate = _money(table, row, "cost_estimate")
    if estimate == 0:
        # The original never estimated (always 0.0): estimate as new projects are, so the
        # budget alert can work for imported projects too.
        estimate = estimate_project_cost(brief=brief, model=primary_model, max_tokens=max_tokens)
    created = _time(table, row, "created_at") or _time(table, row, "updated_at")
    return {
        "id": _uuid(table, row, "id"),
        "owner_id": owner,
        "name": row["name"][:255],
        "description": _text(row, "description"),
        "status": status,
        "progress": min(max(row["progress"] or 0, 0), 100),
        "brief": brief,
        "config": _json(table, row, "config", dict, {}),
        "primary_model": primary_model,
        "agent_role": _text(row, "agent_role", "unknown", 100),
        "strategy": _text(row, "strategy", "balanced", 50),
        "temperature": 0.7 if row["temperature"] is None else float(row["temperature"]),
        "max_tokens": max_tokens,
        "created_at": created,
        "updated_at": _time(table, row, "updated_at") or created,
        "started_at": _time(table, row, "started_at"),
        "completed_at": _time(table, row, "completed_at"),
        "project_path": row["project_path"],
        "cost_estimate": estimate,
        "actual_cost": _money(table, row, "actual_cost"),
        "files_generated": _count(table, row, "files_generated"),
        "lines_of_code": _count(table, row, "lines_of_code"),
        "errors": [
            _error_entry(table, row, entry) for entry in _json(table, row, "errors", list, [])
        ],
        "logs": _json(table, row, "logs", list, []),
    }


def _session_values(row: dict, projects: set[uuid.UUID]) -> dict:
    table = "clarification_sessions"
    label = _label(row)
    if row["depth"] not in Depth.values:
        _fail(table, label, f"depth {row['depth']!r} is not one of {', '.join(Depth.values)}")
    project = _uuid(table, row, "project_id")
    if project is not None and project not in projects:
        _fail(table, label, f"project_id {project} is not in projects")
    questions = _json(table, row, "questions", list, None)
    if questions is None:
        _fail(table, label, "questions is null")
    for question in questions:
        if not isinstance(question, dict) or not {"id", "text"} <= set(question):
            _fail(table, label, f"question {question!r} has no id or text")
    total = _count(table, row, "total_questions")
    completed = bool(row["is_completed"])
    return {
        "id": _uuid(table, row, "id"),
        "project_id": project,
        "project_idea": row["project_idea"],
        "depth": row["depth"],
        "questions": questions,
        "answers": _json(table, row, "answers", dict, {}),
        "position": min(_count(table, row, "current_question"), total),
        "total_questions": total,
        "is_completed": completed,
        "ai_provider": _text(row, "ai_provider", "", 50),
        "created_at": _time(table, row, "created_at") or _time(table, row, "updated_at"),
        "updated_at": _time(table, row, "updated_at") or _time(table, row, "created_at"),
        "completed_at": _time(table, row, "completed_at"),
    }


def _file_values(row: dict, projects: set[uuid.UUID], legacy_dir: Path):
    """The row's values, or a reason to reject it (str)."""
    table = "generated_files"
    label = _label(row)
    project = _uuid(table, row, "project_id")
    if project is None:
        return "project_id is NULL (its project was deleted)"
    if project not in projects:
        _fail(table, label, f"project_id {project} is not in projects")
    path = row["file_path"]
    content = row["content"]
    if content is None:
        on_disk = legacy_dir / "generated_projects" / str(project) / path
        base = (legacy_dir / "generated_projects" / str(project)).resolve()
        if on_disk.resolve().is_relative_to(base) and on_disk.is_file():
            content = on_disk.read_text(encoding="utf-8", errors="replace")
        else:
            return "no content in the row and no file under generated_projects/"
    try:
        path = clean_relative_path(path)
    except InvalidPath:
        return f"file_path {row['file_path']!r} is not a safe relative path"

    return {
        "id": _uuid(table, row, "id"),
        "project_id": project,
        "path": path,
        "file_type": _text(row, "file_type", "", 50) or file_type_for(path),
        "content": content,
        "size": len(content.encode("utf-8")),
        "lines": len(content.splitlines()),
        "checksum": hashlib.sha256(content.encode("utf-8")).hexdigest(),
        "ai_provider": _text(row, "ai_provider", "", 50),
        "generated_at": _time(table, row, "generated_at"),
    }


FOLDERS = "generated_projects"  # report entry for files found on disk, not in a table
SKIPPED_DIRS = {"__pycache__", "node_modules", ".git", ".venv", "venv", ".pytest_cache"}
MAX_FILE_BYTES = 1_000_000


def _folder_files(report: ImportReport, project_id: uuid.UUID, legacy_dir: Path) -> list[dict]:
    """Rows for the text files under `generated_projects/<id>/` beside the store."""
    folder = legacy_dir / FOLDERS / str(project_id)
    if not folder.is_dir():
        return []
    table = report.table(FOLDERS)
    entries = []
    for file in sorted(folder.rglob("*")):
        relative = file.relative_to(folder).as_posix()
        if file.is_symlink() or not file.is_file():
            continue
        if any(part in SKIPPED_DIRS for part in file.relative_to(folder).parts[:-1]):
            continue
        table.read += 1
        label = f"{project_id}/{relative}"
        try:
            path = clean_relative_path(relative)
        except InvalidPath:
            table.rejected.append(f"{label}: not a safe relative path")
            continue
        if file.stat().st_size > MAX_FILE_BYTES:
            table.rejected.append(f"{label}: larger than {MAX_FILE_BYTES:,} bytes")
            continue
        try:
            content = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            table.rejected.append(f"{label}: not UTF-8 text")
            continue
        modified = datetime.fromtimestamp(file.stat().st_mtime, UTC).replace(microsecond=0)
        entries.append(
            {
                # Derived from project and path, so a second run finds the same row.
                "id": uuid.uuid5(project_id, path),
                "project_id": project_id,
                "path": path,
                "file_type": file_type_for(path),
                "content": content,
                "size": len(content.encode("utf-8")),
                "lines": len(content.splitlines()),
                "checksum": hashlib.sha256(content.encode("utf-8")).hexdigest(),
                "ai_provider": "",
                "generated_at": modified,
            }
        )
    return entries


def _usage_values(row: dict, projects: set[uuid.UUID]) -> dict:
    table = "ai_provider_usage"
    label = _label(row)
    if row["provider"] not in ProviderName.values:
        _fail(table, label, f"provider {row['provider']!r} is not a known provider")
    project = _uuid(table, row, "project_id")
    if project is not None and project not in projects:
        _fail(table, label, f"project_id {project} is not in projects")
    error = _text(row, "error_message")
    success = (not error) if row["success"] is None else bool(row["success"])
    return {
        "id": _uuid(table, row, "id"),
        "project_id": project,
        "provider": row["provider"],
        "model": row["model"][:100],
        "request_type": _text(row, "request_type", "", 50),
        "tokens_in": _count(table, row, "prompt_tokens"),
        "tokens_out": _count(table, row, "completion_tokens"),
        "cost": _money(table, row, "cost"),
        "duration_ms": _count(table, row, "latency_ms"),
        "success": success,
        "error": error,
        "created_at": _time(table, row, "created_at"),
    }


def _same(instance, values: dict) -> bool:
    for field, value in values.items():
        if value is None and field in ("created_at", "generated_at"):
            continue  # filled at import time
        if getattr(instance, field) != value:
            return False
    return True


def _split(report: ImportReport, table: str, model, items: list[tuple[dict, dict]]):
    """New rows to write; existing equal rows count as unchanged, differing ones are rejected."""
    existing = model.objects.in_bulk([values["id"] for _, values in items])
    new = []
    for row, values in items:
        current = existing.get(values["id"])
        if current is None:
            new.append(values)
        elif _same(current, values):
            report.table(table).unchanged += 1
        else:
            report.table(table).rejected.append(
                f"{_label(row)}: differs from the row with this id here (changed since, or another source); kept as it is"
            )
    return new


def run(source: str, *, dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Import a YAGO `yago.db` into the projects app (and accounts); see the module docstring."""
    path = Path(source)
    report = ImportReport(app="yago", source=str(source), dry_run=dry_run)
    with _connect(path) as connection:
        _check_schema(connection, path.name)
        raw = {table: _read(connection, table, progress) for table in TABLES}
    for table in TABLES:
        report.table(table).read = len(raw[table])
        for row in raw[table]:
            _check_types(table, row)

    # Users: keyed by id; an e-mail already used by another account links to that account.
    User = get_user_model()
    emails = {email.lower(): pk for pk, email in User.objects.values_list("pk", "email")}
    owners: dict[str, uuid.UUID] = {}
    user_items = []
    seen_ids: set = set()
    for row in raw["users"]:
        values = _user_values(row)
        if values["id"] in seen_ids:
            _fail("users", _label(row), "duplicate id")
        seen_ids.add(values["id"])
        holder = emails.get(values["email"])
        if holder is not None and holder != values["id"]:
            owners[row["id"]] = holder
            if any(item[1]["email"] == values["email"] for item in user_items):
                report.table("users").rejected.append(
                    f"{_label(row)}: e-mail {values['email']} differs only by case from another "
                    "user of the store; its projects go to that user"
                )
            else:
                report.table("users").unchanged += 1
            continue
        emails[values["email"]] = values["id"]
        owners[row["id"]] = values["id"]
        user_items.append((row, values))
    new_users = _split(report, "users", User, user_items)

    project_items = [(row, _project_values(row, owners)) for row in raw["projects"]]
    project_ids = {values["id"] for _, values in project_items}
    if len(project_ids) != len(project_items):
        _fail("projects", "-", "duplicate ids")
    new_projects = _split(report, "projects", Project, project_items)

    session_items = [
        (row, _session_values(row, project_ids)) for row in raw["clarification_sessions"]
    ]
    new_sessions = _split(report, "clarification_sessions", ClarificationSession, session_items)

    legacy_dir = path.resolve().parent
    file_items = []
    stored_paths = {
        (project, path): pk
        for pk, project, path in GeneratedFile.objects.filter(
            project_id__in=project_ids
        ).values_list("pk", "project_id", "path")
    }
    paths_seen: set = set(stored_paths)
    existing_files = set(
        GeneratedFile.objects.filter(
            pk__in=[_uuid("generated_files", r, "id") for r in raw["generated_files"]]
        ).values_list("pk", flat=True)
    )
    for row in raw["generated_files"]:
        values = _file_values(row, project_ids, legacy_dir)
        if isinstance(values, str):
            report.table("generated_files").rejected.append(f"{_label(row)}: {values}")
            continue
        key = (values["project_id"], values["path"])
        if values["id"] not in existing_files and key in paths_seen:
            report.table("generated_files").rejected.append(
                f"{_label(row)}: {values['path']} appears twice for project {key[0]}"
            )
            continue
        paths_seen.add(key)
        file_items.append((row, values))
    new_files = _split(report, "generated_files", GeneratedFile, file_items)

    # The original wrote code only to disk: projects without file rows get them from their folder.
    with_rows = {values["project_id"] for _, values in file_items}
    folder_items = []
    for _, values in project_items:
        if values["id"] in with_rows:
            continue
        for entry in _folder_files(report, values["id"], legacy_dir):
            key = (entry["project_id"], entry["path"])
            if stored_paths.get(key, entry["id"]) != entry["id"]:
                report.table(FOLDERS).rejected.append(
                    f"{values['id']}/{entry['path']}: a different file row already has this path"
                )
                continue
            folder_items.append(({"id": f"{values['id']}/{entry['path']}", "_rowid": 0}, entry))
    new_folder_files = _split(report, FOLDERS, GeneratedFile, folder_items)

    usage_items = [(row, _usage_values(row, project_ids)) for row in raw["ai_provider_usage"]]
    new_usage = _split(report, "ai_provider_usage", ProviderUsage, usage_items)

    plan = [
        ("users", User, new_users),
        ("projects", Project, new_projects),
        ("clarification_sessions", ClarificationSession, new_sessions),
        ("generated_files", GeneratedFile, new_files),
        (FOLDERS, GeneratedFile, new_folder_files),
        ("ai_provider_usage", ProviderUsage, new_usage),
    ]
    for table, _, rows in plan:
        report.table(table).written = len(rows)
    if dry_run:
        return report
    with transaction.atomic(), audit_bulk_write():
        for table, model, rows in plan:
            _write(table, model, rows, path.name, progress)
    return report


def _write(table: str, model, rows: list[dict], source: str, progress: Progress | None) -> None:
    now = datetime.now(UTC)
    objects = []
    for values in rows:
        values = {
            key: value
            for key, value in values.items()
            if value is not None
            or key
            in (
                "owner_id",
                "project_id",
                "started_at",
                "completed_at",
                "project_path",
                "last_login",
            )
        }
        for field in ("created_at", "updated_at", "generated_at"):
            if field in {f.name for f in model._meta.fields} and field not in values:
                values[field] = now
        objects.append(model(**values))
    for start in range(0, len(objects), BATCH):
        model.objects.bulk_create(objects[start : start + BATCH])
        if progress:
            progress(table, min(start + BATCH, len(objects)), len(objects))
    if objects:
        audit_batch(actor=ACTOR, model=model, count=len(objects), source=f"{source} {table}")
