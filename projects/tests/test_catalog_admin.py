"""Admin pages of the catalogs (the seeded rows are there: projects conftest)."""

from decimal import Decimal

import pytest

from projects.models import AIModel, Template
from projects.pricing import price_for

pytestmark = pytest.mark.django_db

PAGES = [
    ("templatecategory", "web", "Web"),
    ("template", "web_app", "Application"),
    ("aimodel", "gpt-4", "GPT"),
    ("marketplaceitem", "plugin-slack", "Slack"),
]


@pytest.mark.parametrize(("model", "pk", "query"), PAGES)
def test_changelist_search_add_and_change_pages(admin_client, model, pk, query):
    base = f"/admin/projects/{model}/"

    assert admin_client.get(base).status_code == 200
    assert admin_client.get(base, {"q": query}).status_code == 200
    assert admin_client.get(f"{base}add/").status_code == 200
    assert admin_client.get(f"{base}{pk}/change/").status_code == 200


def test_model_changelist_filters_and_searches(admin_client):
    unlisted = admin_client.get("/admin/projects/aimodel/", {"listed__exact": "0"})
    anthropic = admin_client.get("/admin/projects/aimodel/", {"provider__exact": "anthropic"})
    found = admin_client.get("/admin/projects/aimodel/", {"q": "haiku"})

    assert unlisted.context["cl"].result_count == 11
    assert anthropic.context["cl"].result_count == 8
    assert sorted(row.pk for row in found.context["cl"].result_list) == [
        "claude-3-haiku",
        "claude-haiku-5",
    ]


def test_template_changelist_filters(admin_client):
    response = admin_client.get(
        "/admin/projects/template/", {"category__id__exact": "web", "is_popular__exact": "1"}
    )

    assert [row.pk for row in response.context["cl"].result_list] == ["web_app"]


def test_category_changelist_counts_templates(admin_client):
    response = admin_client.get("/admin/projects/templatecategory/")

    counts = {row.pk: row.template_total for row in response.context["cl"].result_list}
    assert counts == {"web": 1, "backend": 1, "mobile": 1, "data": 1}


def test_marketplace_filter_by_type(admin_client):
    response = admin_client.get("/admin/projects/marketplaceitem/", {"type__exact": "plugin"})

    assert response.context["cl"].result_count == 3


def test_changing_a_price_in_the_admin_applies_to_the_next_lookup(admin_client):
    assert price_for("gpt-4o") == (Decimal("0.0025"), Decimal("0.01"))
    url = "/admin/projects/aimodel/gpt-4o/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if key in form.fields and value is not None
    }
    data.update(
        {
            "id": "gpt-4o",
            "cost_per_1k_input": "0.005",
            "capabilities": "[]",
            "listed": "",  # unchecked
            "enabled": "on",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert price_for("gpt-4o") == (Decimal("0.005"), Decimal("0.01"))
    assert AIModel.objects.get(pk="gpt-4o").listed is False


def test_a_template_must_have_a_known_difficulty(admin_client):
    response = admin_client.post(
        "/admin/projects/template/add/",
        {
            "id": "cli",
            "name": "CLI",
            "description": "A command-line tool",
            "category": "backend",
            "difficulty": "legendary",
            "tags": "[]",
            "estimated_cost": "1",
            "position": "5",
        },
    )

    assert response.status_code == 200
    assert "difficulty" in response.context["adminform"].form.errors
    assert not Template.objects.filter(pk="cli").exists()
