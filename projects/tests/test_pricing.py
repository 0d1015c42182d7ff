"""The AI model table is the one source of model prices (projects.pricing)."""

from decimal import Decimal

import pytest

from projects import pricing
from projects.models import AIModel
from projects.pricing import PriceTable, cost_of, estimate_project_cost, price_for

pytestmark = pytest.mark.django_db

# settings.YAGO_MODEL_PRICES before the table (USD per million tokens): every price is kept.
FORMER_PRICES = {
    "offline": (0.0, 0.0),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4-turbo": (10.00, 30.00),
    "claude-sonnet-5": (3.00, 15.00),
    "claude-opus-5": (15.00, 75.00),
    "claude-haiku-5": (1.00, 5.00),
    "claude-sonnet-4": (3.00, 15.00),
    "claude-3-5-sonnet": (3.00, 15.00),
    "claude-3-opus": (15.00, 75.00),
    "claude-3-haiku": (0.25, 1.25),
    "gemini-1.5-pro": (1.25, 5.00),
    "default": (3.00, 15.00),
}


@pytest.mark.parametrize(("model", "per_million"), FORMER_PRICES.items())
def test_former_prices_are_kept(model, per_million):
    per_1k = tuple(Decimal(str(price)) / 1000 for price in per_million)

    assert price_for(model) == per_1k
    # 1M tokens in and out cost what the old list said.
    assert cost_of(model, 1_000_000, 1_000_000) == Decimal(str(sum(per_million))).quantize(
        Decimal("0.000001")
    )


def test_the_models_the_providers_call_are_unlisted_rows():
    rows = dict(AIModel.objects.values_list("id", "listed"))

    assert {key: rows[key] for key in ("gpt-4o-mini", "claude-sonnet-5", "offline", "default")} == {
        "gpt-4o-mini": False,
        "claude-sonnet-5": False,
        "offline": False,
        "default": False,
    }
    assert set(FORMER_PRICES) <= set(rows)


def test_catalog_only_models_use_the_catalog_price():
    assert price_for("gpt-4") == (Decimal("0.03"), Decimal("0.06"))
    assert cost_of("gpt-3.5-turbo", 1000, 1000) == Decimal("0.002000")


@pytest.mark.parametrize(
    ("model", "priced_as"),
    [
        ("claude-3-opus-20240229", "claude-3-opus"),  # dated snapshot: longest prefix
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("GPT-4O", "gpt-4o"),  # case-insensitive
        ("mistral-large", "default"),  # no row: the default row, never 0
        ("", "default"),
        (None, "default"),
    ],
)
def test_lookup_rules(model, priced_as):
    assert price_for(model) == price_for(priced_as)
    assert price_for(model) != (0, 0) or priced_as == "offline"


def test_an_unknown_model_follows_the_default_row():
    AIModel.objects.filter(pk="default").update(cost_per_1k_input=Decimal("0.5"))
    pricing.price_table_invalidate()

    assert price_for("mistral-large") == (Decimal("0.5"), Decimal("0.015"))


def test_without_a_default_row_the_price_is_never_zero(caplog):
    AIModel.objects.all().delete()

    assert price_for("anything") == (Decimal("0.003"), Decimal("0.015"))
    assert "no `default` row" in caplog.text


def test_the_table_is_cached_no_query_per_lookup(django_assert_num_queries):
    with django_assert_num_queries(1):
        for _ in range(50):
            cost_of("gpt-4o", 100, 100)
            estimate_project_cost(
                brief={"project_idea": "x"}, model="claude-sonnet-5", max_tokens=1
            )


def test_saving_a_model_drops_the_cached_table(admin_client):
    assert price_for("gpt-4o") == (Decimal("0.0025"), Decimal("0.01"))
    model = AIModel.objects.get(pk="gpt-4o")
    model.cost_per_1k_input = Decimal("0.004")
    model.save()

    assert price_for("gpt-4o") == (Decimal("0.004"), Decimal("0.01"))

    AIModel.objects.get(pk="gpt-4.1").delete()

    assert price_for("gpt-4.1") == price_for("gpt-4")  # the longest prefix left


def test_a_new_row_applies_at_once():
    assert price_for("gpt-9") == price_for("default")
    AIModel.objects.create(
        id="gpt-9", name="GPT-9", provider="openai", cost_per_1k_input=1, cost_per_1k_output=2,
        listed=False,
    )  # fmt: skip

    assert price_for("gpt-9") == (Decimal(1), Decimal(2))


def test_a_loaded_table_prices_a_batch_without_queries(django_assert_num_queries):
    table = PriceTable.load()

    with django_assert_num_queries(0):
        costs = [table.cost_of("gpt-4o", 1000, 2000) for _ in range(10)]

    assert costs == [Decimal("0.022500")] * 10


def test_estimate_is_as_before():
    # (len(json)=26 chars → 7 tokens + 600) in at 2.50/M, 4000 out at 10/M.
    estimate = estimate_project_cost(
        brief={"project_idea": "Track"}, model="gpt-4o", max_tokens=4000
    )

    assert estimate == Decimal("0.041518")
