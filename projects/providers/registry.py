"""Which provider serves a model: the registry sits above the implementations (no import cycle)."""

from django.conf import settings

from projects.providers.base import ProviderError
from projects.providers.llm import AnthropicProvider, OpenAIProvider
from projects.providers.offline import OfflineProvider


def provider_name_for(model: str) -> str:
    """The provider `auto` picks for a model name."""
    lowered = (model or "").lower()
    if lowered.startswith(("gpt-", "o1", "o3", "o4")):
        return "openai"
    if lowered.startswith("claude"):
        return "anthropic"
    return "offline"


def get_provider(*, model: str | None = None, temperature: float = 0.7, max_tokens: int = 4000):
    """The provider chosen by settings.YAGO_PROVIDER (model: the project's primary_model)."""
    choice = settings.YAGO_PROVIDER
    if choice == "auto":
        choice = provider_name_for(model or "")
    if choice == "offline":
        return OfflineProvider()
    options = {"temperature": temperature, "max_tokens": max_tokens}
    if choice == "openai":
        chosen = model if provider_name_for(model or "") == "openai" else None
        return OpenAIProvider(model=chosen or settings.YAGO_OPENAI_MODEL, **options)
    if choice == "anthropic":
        chosen = model if provider_name_for(model or "") == "anthropic" else None
        return AnthropicProvider(model=chosen or settings.YAGO_ANTHROPIC_MODEL, **options)
    raise ProviderError(f"Unknown provider '{choice}' in YAGO_PROVIDER")
