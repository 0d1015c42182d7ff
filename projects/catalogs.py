"""Reads of YAGO's catalogs (templates, categories, AI models, marketplace items).

Each list is one query in catalog order (`position`); the filters the original applied to its
in-memory lists (substring of a tag, capability in a list) run in Python on those few rows,
the same on every database engine (SQLite has no JSON `contains`).
"""

from decimal import Decimal

from django.db.models import Count

from projects.models import AIModel, MarketplaceItem, Template, TemplateCategory

TEMPLATE_DETAILS = {
    "prerequisites": ["Basic programming knowledge"],
    "features": ["Modern architecture", "Best practices", "Documentation"],
}
TEMPLATE_PREVIEW = {
    "structure": ["src/", "tests/", "docs/", "config/"],
    "files": ["README.md", "package.json", ".gitignore"],
    "commands": ["npm install", "npm start", "npm test"],
}


def number(value: Decimal) -> float:
    return float(value)


# --- Templates ----------------------------------------------------------------------------------


def template_data(template: Template) -> dict:
    """The original's template object, keys in its order."""
    return {
        "id": template.id,
        "name": template.name,
        "description": template.description,
        "category": template.category_id,
        "difficulty": template.difficulty,
        "is_popular": template.is_popular,
        "popular": template.is_popular,
        "icon": template.icon,
        "tags": template.tags,
        "estimated_time": template.estimated_time,
        "estimated_duration": template.estimated_time,
        "estimated_cost": number(template.estimated_cost),
        "file": template.file,
    }


def template_list(
    *, category: str = "", difficulty: str = "", popular_only: bool = False
) -> list[Template]:
    """Exact-match filters combined with AND; empty means no filter."""
    queryset = Template.objects.order_by("position", "id")
    if category:
        queryset = queryset.filter(category_id=category)
    if difficulty:
        queryset = queryset.filter(difficulty=difficulty)
    if popular_only:
        queryset = queryset.filter(is_popular=True)
    return list(queryset)


def template_search(*, query: str) -> list[Template]:
    """Case-insensitive in name or description; a substring of a tag as stored."""
    needle = query.lower()
    return [
        template
        for template in Template.objects.order_by("position", "id")
        if needle in template.name.lower()
        or needle in template.description.lower()
        or any(query in tag for tag in template.tags)
    ]


def template_get(*, template_id: str) -> Template | None:
    return Template.objects.filter(pk=template_id).first()


def template_count() -> int:
    return Template.objects.count()


def category_list() -> list[dict]:
    """Categories in order with the real number of templates in each (one query)."""
    rows = TemplateCategory.objects.annotate(count=Count("templates")).order_by("position", "id")
    return [{"id": row.id, "name": row.name, "count": row.count} for row in rows]


# --- AI models --------------------------------------------------------------------------------


def model_data(model: AIModel) -> dict:
    """The original's model object, keys in its order."""
    return {
        "id": model.id,
        "name": model.name,
        "provider": model.provider,
        "description": model.description,
        "context_window": model.context_window,
        "max_tokens": model.max_tokens,
        "cost_per_1k_input": number(model.cost_per_1k_input),
        "cost_per_1k_output": number(model.cost_per_1k_output),
        "speed_score": model.speed_score,
        "quality_score": model.quality_score,
        "capabilities": model.capabilities,
        "status": model.status,
        "enabled": model.enabled,
    }


def model_catalog():
    """The listed models in catalog order (unlisted rows only hold prices)."""
    return AIModel.objects.filter(listed=True).order_by("position", "id")


def model_list(*, provider: str = "", capability: str = "") -> list[AIModel]:
    queryset = model_catalog()
    if provider:
        queryset = queryset.filter(provider=provider)
    models = list(queryset)
    if capability:
        models = [model for model in models if capability in model.capabilities]
    return models


def model_get(*, model_id: str) -> AIModel | None:
    return model_catalog().filter(pk=model_id).first()


def models_by_ids(*, model_ids: list[str]) -> list[AIModel]:
    """Known ids in request order, duplicates kept, unknown ids skipped (one query)."""
    known = {model.pk: model for model in model_catalog().filter(pk__in=set(model_ids))}
    return [known[model_id] for model_id in model_ids if model_id in known]


def model_comparison(models: list[AIModel]) -> dict:
    """Cheapest input, fastest, best quality; a tie goes to the first in the list."""
    if not models:
        return {"cheapest": None, "fastest": None, "best_quality": None}
    return {
        "cheapest": min(models, key=lambda model: model.cost_per_1k_input).id,
        "fastest": max(models, key=lambda model: model.speed_score).id,
        "best_quality": max(models, key=lambda model: model.quality_score).id,
    }


def model_ids_by_provider() -> dict[str, list[str]]:
    """{provider: [model ids]} in catalog order (providers in order of first appearance)."""
    grouped: dict[str, list[str]] = {}
    for model_id, provider in model_catalog().values_list("id", "provider"):
        grouped.setdefault(provider, []).append(model_id)
    return grouped


# --- Marketplace --------------------------------------------------------------------------------


def item_data(item: MarketplaceItem) -> dict:
    return {
        "id": item.id,
        "name": item.name,
        "type": item.type,
        "description": item.description,
        "author": item.author,
        "version": item.version,
        "downloads": item.downloads,
        "rating": number(item.rating),
        "price": item.price,
        "icon": item.icon,
        "tags": item.tags,
        "installed": item.installed,
    }


def item_list(*, item_type: str = "") -> list[MarketplaceItem]:
    queryset = MarketplaceItem.objects.order_by("position", "id")
    if item_type:
        queryset = queryset.filter(type=item_type)
    return list(queryset)


def item_get(*, item_id: str) -> MarketplaceItem | None:
    return MarketplaceItem.objects.filter(pk=item_id).first()
