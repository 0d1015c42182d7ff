"""Model prices (settings.YAGO_MODEL_PRICES, USD per million tokens) and cost arithmetic."""

import json
import math
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

SIX_PLACES = Decimal("0.000001")
PROMPT_OVERHEAD_TOKENS = 600  # system prompt and instructions around the brief


def price_for(model: str) -> tuple[Decimal, Decimal]:
    """(input, output) USD per million tokens: exact name, else longest known prefix, else default."""
    prices = settings.YAGO_MODEL_PRICES
    name = (model or "").lower()
    if name in prices:
        chosen = prices[name]
    else:
        prefixes = [key for key in prices if key != "default" and name.startswith(key)]
        chosen = prices[max(prefixes, key=len)] if prefixes else prices["default"]
    return Decimal(str(chosen[0])), Decimal(str(chosen[1]))


def cost_of(model: str, tokens_in: int, tokens_out: int) -> Decimal:
    price_in, price_out = price_for(model)
    cost = (price_in * tokens_in + price_out * tokens_out) / Decimal(1_000_000)
    return cost.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def estimate_tokens(text: str) -> int:
    """About four characters per token, the usual rule of thumb for English and code."""
    return math.ceil(len(text) / 4)


def estimate_project_cost(*, brief: dict, model: str, max_tokens: int) -> Decimal:
    """One generation call: the brief plus prompt overhead in, up to max_tokens out."""
    tokens_in = estimate_tokens(json.dumps(brief, ensure_ascii=False)) + PROMPT_OVERHEAD_TOKENS
    return cost_of(model, tokens_in, max_tokens)
