"""Generated projects on S3 (the `generated_projects` storage STORAGE_URL configures), against
moto's server mode: every app server sees the same files, none are left in MEDIA_ROOT."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from projects import storage
from projects.models import GeneratedFile
from projects.providers.base import InvalidPath, SourceFile
from projects.tests.factories import GeneratedFileFactory, ProjectFactory
from projects.tests.test_services import execute

pytestmark = pytest.mark.django_db

BASE = "/yago/api/v1/projects"


@pytest.fixture
def bucket(s3_bucket, settings):
    client, name, options = s3_bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        "generated_projects": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "media/generated_projects", "file_overwrite": True},
        },
    }
    return client, name


def keys(bucket) -> list[str]:
    client, name = bucket
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", []))


def body(bucket, key: str) -> bytes:
    client, name = bucket
    return client.get_object(Bucket=name, Key=key)["Body"].read()


def test_storage_url_puts_generated_projects_beside_the_media():
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['generated_projects']))"
    )
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("STORAGE_URL", "AWS_", "YAGO_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=django_settings.BASE_DIR,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "x",
            "STORAGE_URL": "s3://team-bucket/media?endpoint_url=http://127.0.0.1:9000",
        },
        capture_output=True,
        text=True,
        check=True,
    )

    assert __import__("json").loads(result.stdout) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "team-bucket",
            "location": "media/generated_projects",
            "endpoint_url": "http://127.0.0.1:9000",
            "region_name": None,
            "querystring_auth": True,
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": True,
        },
    }


def test_execution_writes_the_files_to_the_bucket_only(api_client, bucket, settings):
    project = ProjectFactory(name="Notes")

    response = api_client.post(f"{BASE}/{project.pk}/execute")

    assert response.status_code == 200
    rows = {row.path: row.content for row in GeneratedFile.objects.filter(project=project)}
    assert len(rows) == 11
    prefix = f"media/generated_projects/{project.pk}/"
    assert keys(bucket) == sorted(prefix + path for path in rows)
    assert storage.disk_files(project.pk) == {p: c.encode() for p, c in rows.items()}
    assert body(bucket, prefix + "README.md").decode() == rows["README.md"]
    assert not (settings.MEDIA_ROOT / "generated_projects").exists()


def test_a_new_generation_replaces_the_old_files(bucket):
    project = ProjectFactory()
    storage.write_tree(project.pk, [SourceFile("old.py", "x = 1\n"), SourceFile("a/b.py", "b")])

    storage.write_tree(project.pk, [SourceFile("a/b.py", "c"), SourceFile("new.py", "y = 2\n")])

    assert storage.disk_files(project.pk) == {"a/b.py": b"c", "new.py": b"y = 2\n"}
    assert keys(bucket) == [
        f"media/generated_projects/{project.pk}/a/b.py",
        f"media/generated_projects/{project.pk}/new.py",
    ]


def test_a_bad_path_writes_nothing(bucket):
    project = ProjectFactory()
    storage.write_tree(project.pk, [SourceFile("keep.py", "x = 1\n")])

    with pytest.raises(InvalidPath):
        storage.write_tree(project.pk, [SourceFile("new.py", "y"), SourceFile("../bad.py", "z")])

    assert storage.disk_files(project.pk) == {"keep.py": b"x = 1\n"}


def test_deleting_the_project_deletes_its_files(
    api_client, bucket, django_capture_on_commit_callbacks
):
    project = ProjectFactory()
    other = ProjectFactory()
    storage.write_tree(project.pk, [SourceFile("a.py", "a"), SourceFile("b/c.py", "c")])
    storage.write_tree(other.pk, [SourceFile("a.py", "a")])

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"{BASE}/{project.pk}")

    assert response.status_code == 200
    assert keys(bucket) == [f"media/generated_projects/{other.pk}/a.py"]


def test_files_stored_only_as_rows_are_written_to_the_bucket_when_listed(api_client, bucket):
    project = ProjectFactory()
    GeneratedFileFactory(project=project, path="app.py", content="print(1)\n")

    assert not storage.tree_exists(project.pk)
    response = api_client.get(f"{BASE}/{project.pk}/files")

    assert response.status_code == 200
    assert storage.tree_exists(project.pk)
    assert keys(bucket) == [f"media/generated_projects/{project.pk}/app.py"]


def test_an_unreachable_bucket_fails_the_execution_cleanly(
    api_client, bucket, settings, monkeypatch
):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    options = settings.STORAGES["generated_projects"]["OPTIONS"]
    settings.STORAGES = {
        **settings.STORAGES,
        "generated_projects": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "endpoint_url": "http://127.0.0.1:9"},  # nothing listens
        },
    }
    project = ProjectFactory()

    run = execute(project)

    assert (run.status, run.http_status) == ("failed", 500)
    assert run.error.startswith("Could not write the generated files: object storage:")
    assert project.status == "failed"


@pytest.fixture
def unreachable_bucket(bucket, settings, monkeypatch):
    """The bucket's storage pointed at a port where nothing listens."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    options = settings.STORAGES["generated_projects"]["OPTIONS"]
    settings.STORAGES = {
        **settings.STORAGES,
        "generated_projects": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "endpoint_url": "http://127.0.0.1:9"},
        },
    }


def test_an_unreachable_bucket_is_an_os_error_for_every_storage_call(unreachable_bucket):
    project = ProjectFactory()

    for call in (storage.tree_exists, storage.remove_tree):
        with pytest.raises(OSError, match="^object storage: Could not connect"):
            call(project.pk)


def test_deleting_a_project_with_an_unreachable_bucket_answers_and_logs(
    api_client, unreachable_bucket, django_capture_on_commit_callbacks, caplog
):
    project = ProjectFactory(name="Gone")

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.delete(f"{BASE}/{project.pk}")

    assert response.status_code == 200
    assert response.json()["message"] == "Project 'Gone' deleted successfully"
    assert [r.getMessage() for r in caplog.records if r.name == "projects.services"] == [
        f"YAGO: the files of deleted project {project.pk} were left"
    ]


def test_listing_files_with_an_unreachable_bucket_answers_from_the_rows(
    api_client, unreachable_bucket, caplog
):
    project = ProjectFactory()
    GeneratedFileFactory(project=project, path="app.py", content="print(1)\n")

    response = api_client.get(f"{BASE}/{project.pk}/files")

    assert response.status_code == 200
    assert [f["path"] for f in response.json()["files"]] == ["app.py"]
    assert [r.getMessage() for r in caplog.records if r.name == "projects.services"] == [
        f"YAGO: could not write project {project.pk}'s files"
    ]
