"""OpenAI and Anthropic through their official SDKs (keys and base URLs from settings)."""

from django.conf import settings

from projects.providers.base import LLMProvider, ProviderError


def _sdk_message(provider: str, error: Exception, sdk, base: type[Exception]) -> str | None:
    if isinstance(error, sdk.APITimeoutError):
        return f"{provider} request timed out"
    if isinstance(error, sdk.APIStatusError):
        detail = ""
        body = getattr(error, "body", None)
        if isinstance(body, dict):
            inner = body.get("error", body)
            detail = inner.get("message", "") if isinstance(inner, dict) else str(inner)
        return f"{provider} API error {error.status_code}" + (f": {detail}" if detail else "")
    if isinstance(error, sdk.APIConnectionError):
        return f"{provider} could not be reached"
    if isinstance(error, base):
        return f"{provider} error: {error}"
    return None


class OpenAIProvider(LLMProvider):
    name = "openai"
    label = "OpenAI"

    def _client(self):
        import openai

        if not settings.YAGO_OPENAI_API_KEY:
            raise ProviderError("OPENAI_API_KEY is not set")
        return openai.OpenAI(
            api_key=settings.YAGO_OPENAI_API_KEY,
            base_url=settings.YAGO_OPENAI_BASE_URL or None,
            timeout=settings.YAGO_PROVIDER_TIMEOUT,
            max_retries=settings.YAGO_PROVIDER_MAX_RETRIES,
        )

    def complete(self, *, system: str, prompt: str) -> tuple[str, int, int]:
        with self._client() as client:
            response = client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": prompt},
                ],
                temperature=self.temperature,
                max_tokens=self.max_tokens,
            )
        usage = response.usage
        text = response.choices[0].message.content or ""
        return text, usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0

    def describe_error(self, error: Exception) -> str | None:
        import openai

        return _sdk_message("OpenAI", error, openai, openai.OpenAIError)


class AnthropicProvider(LLMProvider):
    name = "anthropic"
    label = "Anthropic"

    def _client(self):
        import anthropic

        if not settings.YAGO_ANTHROPIC_API_KEY:
            raise ProviderError("ANTHROPIC_API_KEY is not set")
        return anthropic.Anthropic(
            api_key=settings.YAGO_ANTHROPIC_API_KEY,
            base_url=settings.YAGO_ANTHROPIC_BASE_URL or None,
            timeout=settings.YAGO_PROVIDER_TIMEOUT,
            max_retries=settings.YAGO_PROVIDER_MAX_RETRIES,
        )

    def complete(self, *, system: str, prompt: str) -> tuple[str, int, int]:
        with self._client() as client:
            response = client.messages.create(
                model=self.model,
                system=system,
                messages=[{"role": "user", "content": prompt}],
                # anthropic 2.x has no `temperature` on messages.create any more.
                max_tokens=self.max_tokens,
            )
        text = "".join(
            block.text for block in response.content if getattr(block, "type", "") == "text"
        )
        return text, response.usage.input_tokens, response.usage.output_tokens

    def describe_error(self, error: Exception) -> str | None:
        import anthropic

        return _sdk_message("Anthropic", error, anthropic, anthropic.AnthropicError)
