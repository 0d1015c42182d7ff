"""The yago.db importer against stores built here from the documented schema (SQLAlchemy DDL)."""

import json
import sqlite3
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from config.legacy import LegacyImportError
from projects import legacy
from projects.models import ClarificationSession, GeneratedFile, Project, ProviderUsage
from projects.pricing import estimate_project_cost
from projects.providers.questions import bank_questions

pytestmark = pytest.mark.django_db

DDL = """
CREATE TABLE projects (
  id VARCHAR NOT NULL, name VARCHAR(255) NOT NULL, description TEXT, status VARCHAR(50) NOT NULL,
  progress INTEGER, brief TEXT, config TEXT, primary_model VARCHAR(100), agent_role VARCHAR(100),
  strategy VARCHAR(50), temperature FLOAT, max_tokens INTEGER, created_at TIMESTAMP,
  updated_at TIMESTAMP, started_at TIMESTAMP, completed_at TIMESTAMP, project_path VARCHAR(500),
  cost_estimate FLOAT, actual_cost FLOAT, files_generated INTEGER, lines_of_code INTEGER,
  errors TEXT, logs TEXT, user_id VARCHAR, PRIMARY KEY (id),
  CONSTRAINT status_check CHECK (status IN ('creating', 'in_progress', 'executing', 'completed', 'failed', 'paused'))
);
CREATE INDEX idx_projects_status ON projects (status);
CREATE INDEX idx_projects_created_at ON projects (created_at);
CREATE INDEX idx_projects_user_id ON projects (user_id);
CREATE TABLE users (
  id VARCHAR NOT NULL, email VARCHAR(255) NOT NULL, hashed_password VARCHAR(255) NOT NULL,
  full_name VARCHAR(255), is_active BOOLEAN, is_verified BOOLEAN, created_at TIMESTAMP,
  updated_at TIMESTAMP, last_login TIMESTAMP, PRIMARY KEY (id), UNIQUE (email)
);
CREATE INDEX idx_users_email ON users (email);
CREATE TABLE clarification_sessions (
  id VARCHAR NOT NULL, project_id VARCHAR, project_idea TEXT NOT NULL, depth VARCHAR(20) NOT NULL,
  questions TEXT NOT NULL, answers TEXT, current_question INTEGER,
  total_questions INTEGER NOT NULL, is_completed BOOLEAN, ai_provider VARCHAR(50),
  created_at TIMESTAMP, updated_at TIMESTAMP, completed_at TIMESTAMP, PRIMARY KEY (id),
  CONSTRAINT depth_check CHECK (depth IN ('minimal', 'standard', 'full')),
  FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE
);
CREATE INDEX idx_sessions_created_at ON clarification_sessions (created_at);
CREATE INDEX idx_sessions_project_id ON clarification_sessions (project_id);
CREATE TABLE generated_files (
  id VARCHAR NOT NULL, project_id VARCHAR, file_path VARCHAR(500) NOT NULL, file_type VARCHAR(50),
  content TEXT, size INTEGER, lines INTEGER, ai_provider VARCHAR(50), generated_at TIMESTAMP,
  PRIMARY KEY (id), FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE
);
CREATE INDEX idx_files_project_id ON generated_files (project_id);
CREATE INDEX idx_files_type ON generated_files (file_type);
CREATE TABLE ai_provider_usage (
  id VARCHAR NOT NULL, project_id VARCHAR, provider VARCHAR(50) NOT NULL,
  model VARCHAR(100) NOT NULL, request_type VARCHAR(50), prompt_tokens INTEGER,
  completion_tokens INTEGER, total_tokens INTEGER, cost FLOAT, latency_ms INTEGER, success BOOLEAN,
  error_message TEXT, created_at TIMESTAMP, PRIMARY KEY (id),
  CONSTRAINT provider_check CHECK (provider IN ('openai', 'anthropic', 'gemini', 'cursor')),
  FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE SET NULL
);
CREATE INDEX idx_usage_provider ON ai_provider_usage (provider);
CREATE INDEX idx_usage_created_at ON ai_provider_usage (created_at);
CREATE INDEX idx_usage_project_id ON ai_provider_usage (project_id);
CREATE TABLE alembic_version (
  version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
"""

P1 = "9e8f161f-83fb-4ad5-8298-a240b2f05fd4"  # completed through /execute
P2 = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"  # failed, both error shapes
P3 = "6fa459ea-ee8a-3ca4-894e-db77e160355e"  # double-encoded JSON, odd progress
U1 = "0f8fad5b-d9cb-469f-a165-70867728950e"
S1 = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
F1, F2, F3 = (
    "c9bf9e57-1685-4c89-bafb-ff5af830be8a",
    "a3bb189e-8bf9-3888-9912-ace4e6543002",
    "e4eaaaf2-d142-11e1-b3e4-080027620cdd",
)
G1 = "16fd2706-8baf-433b-82eb-8c7fada847da"

BCRYPT = "$2b$12$abcdefghijklmnopqrstuu5Xr4c0KqV2Dq1GJ0UQzsc5Z2f1hPpUe"


def dumps(value) -> str:
    return json.dumps(value)  # Python defaults: ", " / ": " separators, \u escapes


def build_store(path, *, wal=False, ddl=DDL, rows=None):
    connection = sqlite3.connect(path)
    if wal:
        connection.execute("PRAGMA journal_mode=WAL")
    connection.executescript(ddl)
    connection.execute("INSERT INTO alembic_version VALUES ('237c4addff1c')")
    for table, values in (rows if rows is not None else default_rows()).items():
        for row in values:
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            connection.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())
            )
    connection.commit()
    return connection


def default_rows():
    return {
        "users": [
            {
                "id": U1,
                "email": "Ada@Example.com",
                "hashed_password": BCRYPT,
                "full_name": "Ada",
                "is_active": 1,
                "is_verified": None,
                "created_at": "2025-10-27 09:13:10.319205",
                "updated_at": None,
                "last_login": None,
            }
        ],
        "projects": [
            {
                "id": P1,
                "name": "Caf\u00e9 finder \U0001f370",
                "description": "Caf\u00e9 finder \U0001f370",
                "status": "completed",
                "progress": 0,
                "brief": dumps({"project_idea": "Caf\u00e9 finder \U0001f370", "n": 1}),
                "config": dumps({"primary_model": "gpt-4o", "max_tokens": 4000}),
                "primary_model": "gpt-4o",
                "agent_role": "unknown",
                "strategy": "balanced",
                "temperature": 0.7,
                "max_tokens": 4000,
                "created_at": "2025-10-29 08:00:00.000000",
                "updated_at": "2025-10-29 08:01:00.123456",
                "started_at": None,
                "completed_at": "2025-10-29 08:01:00.123456",
                "project_path": f"generated_projects/{P1}",
                "cost_estimate": 0.0,
                "actual_cost": 0.01,
                "files_generated": 7,
                "lines_of_code": 559,
                "errors": "[]",
                "logs": dumps([{"timestamp": "2025-10-29T08:01:00", "log": "done"}]),
                "user_id": U1,
            },
            {
                "id": P2,
                "name": "Untitled Project",
                "description": "No description",
                "status": "failed",
                "progress": 10,
                "brief": "{}",
                "config": "{}",
                "primary_model": "unknown",
                "agent_role": "unknown",
                "strategy": "balanced",
                "temperature": 0.7,
                "max_tokens": 4000,
                "created_at": "2025-10-29 09:00:00.000000",
                "updated_at": "2025-10-29 09:05:00.000000",
                "started_at": None,
                "completed_at": None,
                "project_path": None,
                "cost_estimate": 0.0,
                "actual_cost": 0.0,
                "files_generated": 0,
                "lines_of_code": 0,
                "errors": dumps(
                    [
                        {"timestamp": "2025-10-29T09:01:00.5", "error": "lint"},
                        {"message": "LLM timeout", "timestamp": "2025-10-29T09:05:00"},
                    ]
                ),
                "logs": "null",
                "user_id": None,
            },
            {
                "id": P3,
                "name": "Double",
                "description": None,
                "status": "in_progress",
                "progress": 250,
                "brief": dumps(dumps({"project_idea": "Double"})),
                "config": dumps(dumps({})),
                "primary_model": None,
                "agent_role": None,
                "strategy": None,
                "temperature": None,
                "max_tokens": None,
                "created_at": "2025-10-30 10:00:00.000000",
                "updated_at": "2025-10-30 10:00:00.000000",
                "started_at": "2025-10-30 10:00:00.000000",
                "completed_at": None,
                "project_path": None,
                "cost_estimate": 2.5,
                "actual_cost": 0.0,
                "files_generated": None,
                "lines_of_code": None,
                "errors": dumps(dumps([])),
                "logs": dumps(dumps([])),
                "user_id": None,
            },
        ],
        "clarification_sessions": [
            {
                "id": S1,
                "project_id": None,
                "project_idea": "Track team tasks",
                "depth": "minimal",
                "questions": dumps(
                    [{k: v for k, v in q.items() if k != "key"} for q in bank_questions(10)]
                ),
                "answers": dumps({"q1": "Taskly", "q7": True}),
                "current_question": 2,
                "total_questions": 10,
                "is_completed": 0,
                "ai_provider": None,
                "created_at": "2025-10-29 07:00:00.000000",
                "updated_at": "2025-10-29 07:05:00.000000",
                "completed_at": None,
            }
        ],
        "generated_files": [
            {
                "id": F1,
                "project_id": P1,
                "file_path": "src/main.py",
                "file_type": "python",
                "content": "print('caf\u00e9')\n",
                "size": 15,
                "lines": 1,
                "ai_provider": "openai",
                "generated_at": "2025-10-29 08:01:00.000000",
            },
            {  # an orphan left by a project deleted through the ORM
                "id": F2,
                "project_id": None,
                "file_path": "src/old.py",
                "file_type": "python",
                "content": "x = 1\n",
                "size": 6,
                "lines": 1,
                "ai_provider": None,
                "generated_at": None,
            },
            {  # no content in the row: read from generated_projects/<id>/
                "id": F3,
                "project_id": P1,
                "file_path": "README.md",
                "file_type": None,
                "content": None,
                "size": None,
                "lines": None,
                "ai_provider": None,
                "generated_at": None,
            },
        ],
        "ai_provider_usage": [
            {
                "id": G1,
                "project_id": P1,
                "provider": "openai",
                "model": "gpt-4o",
                "request_type": "generate",
                "prompt_tokens": 1000,
                "completion_tokens": 500,
                "total_tokens": 1500,
                "cost": 0.0075,
                "latency_ms": 2300,
                "success": 1,
                "error_message": None,
                "created_at": "2025-10-29 08:01:00.000000",
            }
        ],
    }


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "yago.db"
    build_store(path).close()
    folder = tmp_path / "generated_projects" / P1
    folder.mkdir(parents=True)
    (folder / "README.md").write_text("# Caf\u00e9\n\nfinder\n", encoding="utf-8")
    return path


def counts(report):
    return {
        name: (table.read, table.written, table.unchanged, len(table.rejected))
        for name, table in report.tables.items()
    }


def test_import_reads_the_legacy_format(store):
    report = legacy.run(str(store))

    assert counts(report) == {
        "users": (1, 1, 0, 0),
        "projects": (3, 3, 0, 0),
        "clarification_sessions": (1, 1, 0, 0),
        "generated_files": (3, 2, 0, 1),
        "generated_projects": (0, 0, 0, 0),
        "ai_provider_usage": (1, 1, 0, 0),
    }
    assert report.tables["generated_files"].rejected == [
        f"{F2}: project_id is NULL (its project was deleted)"
    ]
    user = get_user_model().objects.get()
    assert (str(user.pk), user.email, user.password) == (U1, "ada@example.com", f"bcrypt${BCRYPT}")
    first = Project.objects.get(pk=P1)
    assert first.owner == user
    assert first.name == "Caf\u00e9 finder \U0001f370"
    assert first.brief == {"project_idea": "Caf\u00e9 finder \U0001f370", "n": 1}
    assert first.created_at == datetime(2025, 10, 29, 8, 0, tzinfo=UTC)
    assert first.completed_at == datetime(2025, 10, 29, 8, 1, 0, 123456, tzinfo=UTC)
    assert (first.actual_cost, first.lines_of_code) == (Decimal("0.01"), 559)
    # The original always wrote 0: estimated as a new project would be.
    assert (
        first.cost_estimate
        == estimate_project_cost(brief=first.brief, model="gpt-4o", max_tokens=4000)
        == Decimal("0.041528")  # (611 × 2.50 + 4000 × 10) / 1e6
    )
    failed = Project.objects.get(pk=P2)
    assert [(e["timestamp"], e["error"]) for e in failed.errors] == [
        ("2025-10-29T09:01:00.5", "lint"),
        ("2025-10-29T09:05:00", "LLM timeout"),
    ]
    assert failed.logs == []
    double = Project.objects.get(pk=P3)
    assert (double.brief, double.config, double.errors, double.progress) == (
        {"project_idea": "Double"},
        {},
        [],
        100,
    )
    assert (double.primary_model, double.temperature, double.max_tokens, double.description) == (
        "unknown",
        0.7,
        4000,
        "",
    )
    assert double.cost_estimate == Decimal("2.5")
    session = ClarificationSession.objects.get()
    assert (session.answers, session.position, session.is_completed) == (
        {"q1": "Taskly", "q7": True},
        2,
        False,
    )
    files = {f.path: f for f in GeneratedFile.objects.all()}
    assert files["README.md"].content == "# Caf\u00e9\n\nfinder\n"
    assert (files["README.md"].file_type, files["README.md"].lines) == ("markdown", 3)
    assert files["src/main.py"].size == len("print('caf\u00e9')\n".encode())
    usage = ProviderUsage.objects.get()
    assert (usage.tokens_in, usage.tokens_out, usage.duration_ms, usage.cost, usage.success) == (
        1000,
        500,
        2300,
        Decimal("0.0075"),
        True,
    )


def test_second_run_writes_nothing(store):
    legacy.run(str(store))

    report = legacy.run(str(store))

    assert counts(report) == {
        "users": (1, 0, 1, 0),
        "projects": (3, 0, 3, 0),
        "clarification_sessions": (1, 0, 1, 0),
        "generated_files": (3, 0, 2, 1),
        "generated_projects": (0, 0, 0, 0),
        "ai_provider_usage": (1, 0, 1, 0),
    }
    assert Project.objects.count() == 3
    assert GeneratedFile.objects.count() == 2


def test_rows_changed_here_since_are_kept(store):
    legacy.run(str(store))
    Project.objects.filter(pk=P2).update(status="in_progress")

    report = legacy.run(str(store))

    assert report.tables["projects"].rejected == [
        f"{P2}: differs from the row with this id here (changed since, or another source); kept as it is"
    ]
    assert Project.objects.get(pk=P2).status == "in_progress"


def test_dry_run_validates_only(store):
    report = legacy.run(str(store), dry_run=True)

    assert report.dry_run is True
    assert report.tables["projects"].written == 3
    assert not Project.objects.exists()
    assert not get_user_model().objects.exists()


def test_wal_store_and_progress(tmp_path):
    path = tmp_path / "yago.db"
    connection = build_store(path, wal=True)  # kept open: the data sits in yago.db-wal
    assert (tmp_path / "yago.db-wal").exists()
    calls = []

    report = legacy.run(str(path), progress=lambda table, done, total: calls.append(table))

    connection.close()
    assert report.tables["projects"].written == 3
    assert calls[:5] == [
        "users",
        "projects",
        "clarification_sessions",
        "generated_files",
        "ai_provider_usage",
    ]


def test_email_already_used_links_projects_to_that_account(store):
    existing = get_user_model().objects.create_user("ada@example.com", "pw")

    report = legacy.run(str(store))

    assert counts(report)["users"] == (1, 0, 1, 0)
    assert Project.objects.get(pk=P1).owner == existing


def _store_with(tmp_path, change):
    rows = default_rows()
    change(rows)
    path = tmp_path / "broken.db"
    build_store(path, rows=rows).close()
    return path


def _assert_refused(path, table, row, problem):
    with pytest.raises(LegacyImportError) as error:
        legacy.run(str(path))
    assert (error.value.table, str(error.value.row), error.value.problem) == (table, row, problem)
    assert not Project.objects.exists()
    assert not get_user_model().objects.exists()
    assert not ProviderUsage.objects.exists()


def test_missing_table(tmp_path):
    path = tmp_path / "broken.db"
    ddl = DDL.split("CREATE TABLE ai_provider_usage")[0] + (
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"
    )
    rows = default_rows()
    del rows["ai_provider_usage"]
    build_store(path, ddl=ddl, rows=rows).close()

    _assert_refused(path, "ai_provider_usage", "-", "table is missing")


def test_wrong_declared_column_type(tmp_path):
    path = tmp_path / "broken.db"
    build_store(path, ddl=DDL.replace("progress INTEGER,", "progress TEXT,"), rows={}).close()

    _assert_refused(path, "projects", "-", "column progress is declared TEXT, expected int")


def test_wrong_value_type(tmp_path):
    def change(rows):
        rows["projects"][1]["progress"] = "ten"

    _assert_refused(
        _store_with(tmp_path, change), "projects", P2, "progress holds str 'ten', expected int"
    )


def test_bad_timestamp(tmp_path):
    def change(rows):
        rows["ai_provider_usage"][0]["created_at"] = "yesterday"

    _assert_refused(
        _store_with(tmp_path, change),
        "ai_provider_usage",
        G1,
        "created_at 'yesterday' is not a timestamp",
    )


def test_bad_json(tmp_path):
    def change(rows):
        rows["projects"][0]["brief"] = "{not json"

    _assert_refused(_store_with(tmp_path, change), "projects", P1, "brief is not valid JSON")


@pytest.mark.parametrize(
    ("table", "index", "column", "problem"),
    [
        (
            "generated_files",
            0,
            "project_id",
            f"project_id {P3.replace('6fa', '000')} is not in projects",
        ),
        (
            "ai_provider_usage",
            0,
            "project_id",
            f"project_id {P3.replace('6fa', '000')} is not in projects",
        ),
        (
            "clarification_sessions",
            0,
            "project_id",
            f"project_id {P3.replace('6fa', '000')} is not in projects",
        ),
        ("projects", 1, "user_id", f"user_id {P3.replace('6fa', '000')} is not in users"),
    ],
)
def test_broken_foreign_key(tmp_path, table, index, column, problem):
    dangling = P3.replace("6fa", "000")

    def change(rows):
        rows[table][index][column] = dangling

    row = default_rows()[table][index]["id"]
    _assert_refused(_store_with(tmp_path, change), table, row, problem)


def test_truncated_file(tmp_path):
    path = tmp_path / "yago.db"
    rows = default_rows()
    rows["ai_provider_usage"][0]["error_message"] = "x" * 200_000  # many pages
    build_store(path, rows=rows).close()
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 9 // 10])

    # SQLite notices the missing pages before any table can be read: the file is named.
    _assert_refused(
        path,
        "yago.db",
        "-",
        "not a readable SQLite database (database disk image is malformed): truncated or damaged?",
    )


def test_damaged_table_pages(tmp_path):
    path = tmp_path / "yago.db"
    rows = default_rows()
    rows["ai_provider_usage"][0]["error_message"] = "x" * 200_000
    build_store(path, rows=rows).close()
    data = bytearray(path.read_bytes())
    end = len(data)
    data[end - 4096 * 10 : end - 4096 * 9] = b"\xff" * 4096  # inside the usage row's overflow
    path.write_bytes(bytes(data))

    _assert_refused(
        path,
        "ai_provider_usage",
        "1",
        "cannot be read (database disk image is malformed): truncated or damaged?",
    )


def test_not_a_database_and_missing_file(tmp_path):
    junk = tmp_path / "yago.db"
    junk.write_bytes(b"this is not sqlite" * 100)

    with pytest.raises(LegacyImportError, match=r"^yago.db, row -: not a readable SQLite"):
        legacy.run(str(junk))
    with pytest.raises(LegacyImportError, match=r"^nothere.db, row -: file not found"):
        legacy.run(str(tmp_path / "nothere.db"))


def test_duplicate_file_paths_and_case_variant_emails_are_rejected(tmp_path):
    def change(rows):
        twin = dict(rows["generated_files"][0], id="11111111-1111-4111-8111-111111111111")
        rows["generated_files"].append(twin)
        rows["users"].append(
            dict(
                rows["users"][0], id="22222222-2222-4222-8222-222222222222", email="ADA@example.com"
            )
        )
        rows["projects"][1]["user_id"] = "22222222-2222-4222-8222-222222222222"

    report = legacy.run(str(_store_with(tmp_path, change)))

    assert report.tables["generated_files"].rejected[-1] == (
        f"11111111-1111-4111-8111-111111111111: src/main.py appears twice for project {P1}"
    )
    assert report.tables["users"].rejected == [
        "22222222-2222-4222-8222-222222222222: e-mail ada@example.com differs only by case from "
        "another user of the store; its projects go to that user"
    ]
    assert Project.objects.get(pk=P2).owner_id == Project.objects.get(pk=P1).owner_id


def test_project_folders_without_file_rows_are_imported(store):
    folder = store.parent / "generated_projects" / P2
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "main.py").write_text("print('hi')\n", encoding="utf-8")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "main.pyc").write_bytes(b"\x00")

    report = legacy.run(str(store))
    again = legacy.run(str(store))

    table = report.tables["generated_projects"]
    assert (table.read, table.written, table.unchanged) == (2, 1, 0)
    assert table.rejected == [f"{P2}/logo.png: not UTF-8 text"]
    row = GeneratedFile.objects.get(project_id=P2)
    assert (row.path, row.content, row.file_type, row.lines) == (
        "src/main.py",
        "print('hi')\n",
        "python",
        1,
    )
    # The P1 folder only backs P1's content-less row; it is not imported twice.
    assert GeneratedFile.objects.filter(project_id=P1).count() == 2
    second = again.tables["generated_projects"]
    assert (second.read, second.written, second.unchanged) == (2, 0, 1)
    assert GeneratedFile.objects.count() == 3
