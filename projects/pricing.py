"""Model prices (the `AIModel` table, USD per 1,000 tokens) and cost arithmetic.

The table is read once and cached (Django's cache, `PRICE_CACHE_KEY`); every write to an
`AIModel` row drops the cached copy (see `projects.signals`), so a price changed in the admin
applies to the next lookup. Batches (demo data, imports) load a `PriceTable` once and use it.
"""

import json
import logging
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache

SIX_PLACES = Decimal("0.000001")
PROMPT_OVERHEAD_TOKENS = 600  # system prompt and instructions around the brief
PRICE_CACHE_KEY = "yago:model-prices:v1"
# Safety net when workers share no cache (locmem): a change reaches every process within this.
PRICE_CACHE_SECONDS = 300
DEFAULT_MODEL = "default"
# Only when the table has no `default` row (an unseeded database): never price a call at 0,
# which would silence budget alerts. Same figure as the seeded `default` row.
FALLBACK_PRICE = (Decimal("0.003"), Decimal("0.015"))

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PriceTable:
    """{lower-cased model id: (input, output) USD per 1k tokens}, the `default` row included."""

    prices: dict[str, tuple[Decimal, Decimal]]

    @classmethod
    def load(cls) -> "PriceTable":
        """One query: every row, listed or not."""
        from projects.models import AIModel

        rows = AIModel.objects.order_by().values_list(
            "id", "cost_per_1k_input", "cost_per_1k_output"
        )
        return cls({key.lower(): (price_in, price_out) for key, price_in, price_out in rows})

    def price_for(self, model: str) -> tuple[Decimal, Decimal]:
        """Exact id, else the longest id the name starts with (dated snapshots such as
        `claude-3-opus-20240229`), else the `default` row."""
        name = (model or "").lower()
        if name in self.prices:
            return self.prices[name]
        prefixes = [key for key in self.prices if key != DEFAULT_MODEL and name.startswith(key)]
        if prefixes:
            return self.prices[max(prefixes, key=len)]
        if DEFAULT_MODEL in self.prices:
            return self.prices[DEFAULT_MODEL]
        logger.warning("YAGO: no `default` row in the AI model table; run `manage.py seed`")
        return FALLBACK_PRICE

    def cost_of(self, model: str, tokens_in: int, tokens_out: int) -> Decimal:
        price_in, price_out = self.price_for(model)
        cost = (price_in * tokens_in + price_out * tokens_out) / Decimal(1000)
        return cost.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)

    def estimate_project_cost(self, *, brief: dict, model: str, max_tokens: int) -> Decimal:
        """One generation call: the brief plus prompt overhead in, up to max_tokens out."""
        tokens_in = estimate_tokens(json.dumps(brief, ensure_ascii=False)) + PROMPT_OVERHEAD_TOKENS
        return self.cost_of(model, tokens_in, max_tokens)


def price_table() -> PriceTable:
    """The cached table: no query while the cache holds it."""
    table = cache.get(PRICE_CACHE_KEY)
    if table is None:
        table = PriceTable.load()
        cache.set(PRICE_CACHE_KEY, table, PRICE_CACHE_SECONDS)
    return table


def price_table_invalidate() -> None:
    cache.delete(PRICE_CACHE_KEY)


def price_for(model: str) -> tuple[Decimal, Decimal]:
    return price_table().price_for(model)


def cost_of(model: str, tokens_in: int, tokens_out: int) -> Decimal:
    return price_table().cost_of(model, tokens_in, tokens_out)


def estimate_tokens(text: str) -> int:
    """About four characters per token, the usual rule of thumb for English and code."""
    return math.ceil(len(text) / 4)


def estimate_project_cost(*, brief: dict, model: str, max_tokens: int) -> Decimal:
    return price_table().estimate_project_cost(brief=brief, model=model, max_tokens=max_tokens)
