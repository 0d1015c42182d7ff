import pytest
from django.core.management import call_command

from config.fixture_check import fixture_differences
from projects import storage
from projects.models import ClarificationSession, GeneratedFile, Project, ProviderUsage
from projects.services import checksum_of

pytestmark = pytest.mark.django_db

OVER_BUDGET = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a94"
WITH_FILES = "9e8f161f-83fb-4ad5-8298-a240b2f05fd4"


def test_demo_fixture_loads_and_serves(api_client):
    call_command("loaddata", "yago", verbosity=0)

    listing = api_client.get("/yago/api/v1/projects").json()
    alerts = api_client.get("/yago/api/v1/costs/alerts").json()
    files = api_client.get(f"/yago/api/v1/projects/{WITH_FILES}/files").json()

    assert listing["total"] == 5
    assert [p["status"] for p in listing["projects"]] == [
        "paused",
        "creating",
        "in_progress",
        "completed",
        "failed",
    ]
    assert [(a["type"], a["project_id"], a["message"]) for a in alerts["alerts"]] == [
        ("budget_exceeded", OVER_BUDGET, "Project budget exceeded by 70.2%")
    ]
    assert alerts["unread_count"] == 1
    assert files["total_files"] == 11 == GeneratedFile.objects.count()
    # Rows and files agree: the folder is written from the stored rows on first use.
    disk = storage.disk_files(WITH_FILES)
    for row in GeneratedFile.objects.all():
        assert checksum_of(disk[row.path].decode()) == row.checksum
    for project in Project.objects.all():
        assert project.actual_cost == sum(
            u.cost for u in ProviderUsage.objects.filter(project=project)
        )
    assert ClarificationSession.objects.count() == 1


def test_seed_loads_the_catalogs_into_empty_tables_only(api_client):
    from io import StringIO

    from projects.models import AIModel, MarketplaceItem, Template, TemplateCategory

    for model in (Template, TemplateCategory, AIModel, MarketplaceItem):
        model.objects.all().delete()
    out = StringIO()

    call_command("seed", "yago_catalogs", stdout=out)

    assert "yago_catalogs: loaded 33 objects" in out.getvalue()
    assert (
        TemplateCategory.objects.count(),
        Template.objects.count(),
        AIModel.objects.filter(listed=True).count(),
        AIModel.objects.filter(listed=False).count(),
        MarketplaceItem.objects.count(),
    ) == (4, 4, 9, 11, 5)
    models = api_client.get("/yago/api/v1/models/list").json()["models"]
    assert [m["id"] for m in models[:2]] == ["gpt-4-turbo", "gpt-4"]  # the front end's picks

    AIModel.objects.filter(pk="gpt-4").update(name="Edited")
    out = StringIO()
    call_command("seed", "yago_catalogs", stdout=out)

    assert "yago_catalogs: skipped (projects_aimodel already has rows)" in out.getvalue()
    assert AIModel.objects.get(pk="gpt-4").name == "Edited"


def test_loaddata_after_the_api_regenerated_a_seed_projects_files(api_client):
    call_command("loaddata", "yago", verbosity=0)
    assert api_client.post(f"/yago/api/v1/projects/{WITH_FILES}/execute").status_code == 200
    regenerated = set(GeneratedFile.objects.values_list("pk", flat=True))

    call_command("loaddata", "yago", verbosity=0)

    assert fixture_differences("yago") == []
    # The files the API wrote again under new keys are the rows the fixture updated.
    assert set(GeneratedFile.objects.values_list("pk", flat=True)) == regenerated
    assert GeneratedFile.objects.count() == 11
