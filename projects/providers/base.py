"""The provider interface: generate a project from a brief, and clarification questions.

Every call a provider makes is returned as a `Call` so the caller records it in provider usage,
including failed calls (they travel on `ProviderError.calls`).
"""

import json
import re
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal

from projects.pricing import cost_of


@dataclass
class Call:
    provider: str
    model: str
    request_type: str
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal("0")
    duration_ms: int = 0
    success: bool = True
    error: str = ""


@dataclass
class SourceFile:
    path: str  # relative, "/" separated
    content: str


@dataclass
class Generation:
    files: list[SourceFile]
    architecture: str
    calls: list[Call] = field(default_factory=list)


class ProviderError(Exception):
    """A provider could not do its job; `calls` are the calls made (to record as usage)."""

    def __init__(self, message: str, *, calls: list[Call] | None = None):
        super().__init__(message)
        self.message = message
        self.calls = calls or []


class InvalidPath(ValueError):
    pass


_PATH_PART = re.compile(r"^[A-Za-z0-9_.@+-][A-Za-z0-9_.@+ -]*$")


def clean_relative_path(path: str) -> str:
    """A safe relative file path ("pkg/core.py"), or InvalidPath for anything that could escape."""
    if not isinstance(path, str) or not path or len(path) > 400 or "\x00" in path:
        raise InvalidPath("Invalid file path")
    if "\\" in path or path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise InvalidPath("Invalid file path")
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", "..") or not _PATH_PART.match(part):
            raise InvalidPath("Invalid file path")
    return "/".join(parts)


class Provider(ABC):
    """What YAGO needs from a code-generation backend."""

    name: str
    model: str

    @abstractmethod
    def generate_project(self, *, name: str, brief: dict, config: dict) -> Generation:
        """Turn a brief into source files (raises ProviderError)."""

    @abstractmethod
    def clarification_questions(
        self, *, project_idea: str, depth: str, count: int
    ) -> tuple[list[dict], list[Call]]:
        """`count` questions `{"id","text","type","required","category","options"?}`."""


SYSTEM_PROMPT = (
    "You are YAGO, a senior software engineer. You answer with one JSON document only, "
    "no prose and no Markdown fences."
)


def generation_prompt(*, name: str, brief: dict, config: dict) -> str:
    return (
        "Write a small, complete, runnable Python project for this brief.\n"
        f"Project name: {name}\n"
        f"Brief (JSON): {json.dumps(brief, ensure_ascii=False)}\n"
        f"Agent role: {config.get('agent_role', 'developer')}; "
        f"strategy: {config.get('strategy', 'balanced')}.\n"
        'Answer with {"architecture": "<one sentence>", "files": [{"path": "<relative path>", '
        '"content": "<file content>"}]} including a package, pytest tests, README.md and '
        "requirements.txt."
    )


def questions_prompt(*, project_idea: str, depth: str, count: int) -> str:
    return (
        f"Write exactly {count} clarification questions ({depth} depth) that a developer must ask "
        f"before building: {project_idea}\n"
        'Answer with {"questions": [{"text", "type": "text"|"select"|"boolean", "required": '
        'true|false, "category", "options": [..] (select only)}]}.'
    )


def parse_json_document(text: str) -> dict:
    """The JSON object in a model's answer (tolerating Markdown fences around it)."""
    body = (text or "").strip()
    fenced = re.match(r"^```[a-zA-Z]*\s*(.*?)\s*```$", body, re.S)
    if fenced:
        body = fenced.group(1)
    document = json.loads(body)
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document


class LLMProvider(Provider):
    """Shared logic of the chat-model providers: prompts, timing, usage, parsing."""

    label: str  # for messages: "OpenAI"

    def __init__(self, *, model: str, temperature: float = 0.7, max_tokens: int = 4000):
        self.model = model
        self.temperature = temperature
        self.max_tokens = max_tokens

    @abstractmethod
    def complete(self, *, system: str, prompt: str) -> tuple[str, int, int]:
        """One chat call: (text, input tokens, output tokens); SDK errors propagate."""

    @abstractmethod
    def describe_error(self, error: Exception) -> str | None:
        """A one-line message for an SDK error, or None when `error` is not one."""

    def _call(self, *, request_type: str, prompt: str) -> tuple[str, Call]:
        started = time.monotonic()
        call = Call(provider=self.name, model=self.model, request_type=request_type)
        try:
            text, tokens_in, tokens_out = self.complete(system=SYSTEM_PROMPT, prompt=prompt)
        except Exception as error:
            message = error.message if isinstance(error, ProviderError) else None
            message = message or self.describe_error(error)
            if message is None:
                raise
            call.success = False
            call.error = message
            call.duration_ms = int((time.monotonic() - started) * 1000)
            raise ProviderError(message, calls=[call]) from error
        call.duration_ms = int((time.monotonic() - started) * 1000)
        call.tokens_in, call.tokens_out = tokens_in, tokens_out
        call.cost = cost_of(self.model, tokens_in, tokens_out)
        return text, call

    def _invalid(self, call: Call, what: str) -> ProviderError:
        call.success = False
        call.error = f"{self.label} returned an invalid {what}"
        return ProviderError(call.error, calls=[call])

    def generate_project(self, *, name: str, brief: dict, config: dict) -> Generation:
        text, call = self._call(
            request_type="generate_project",
            prompt=generation_prompt(name=name, brief=brief, config=config),
        )
        try:
            document = parse_json_document(text)
            files = []
            for item in document["files"]:
                content = item["content"]
                if not isinstance(content, str):
                    raise ValueError("content is not text")
                files.append(SourceFile(clean_relative_path(item["path"]), content))
            if not files:
                raise ValueError("no files")
            architecture = str(document.get("architecture") or "")
        except (ValueError, KeyError, TypeError) as error:
            raise self._invalid(call, "project") from error
        return Generation(files=files, architecture=architecture, calls=[call])

    def clarification_questions(
        self, *, project_idea: str, depth: str, count: int
    ) -> tuple[list[dict], list[Call]]:
        text, call = self._call(
            request_type="clarification_questions",
            prompt=questions_prompt(project_idea=project_idea, depth=depth, count=count),
        )
        try:
            raw = parse_json_document(text)["questions"]
            questions = [_clean_question(item, index) for index, item in enumerate(raw, 1)]
            if len(questions) != count:
                raise ValueError("wrong number of questions")
        except (ValueError, KeyError, TypeError) as error:
            raise self._invalid(call, "question list") from error
        return questions, [call]


def _clean_question(item: dict, index: int) -> dict:
    kind = item.get("type", "text")
    if kind not in ("text", "select", "boolean") or not str(item.get("text", "")).strip():
        raise ValueError("bad question")
    question = {
        "id": f"q{index}",
        "text": str(item["text"]).strip(),
        "type": kind,
        "required": bool(item.get("required", False)),
        "category": str(item.get("category") or "general"),
    }
    if kind == "select":
        options = [str(option) for option in item.get("options") or []]
        if not options:
            raise ValueError("select without options")
        question["options"] = options
    return question
