"""Code-generation providers behind one interface (see base.Provider); `get_provider` picks one."""

from projects.providers.base import (
    Call,
    Generation,
    Provider,
    ProviderError,
    SourceFile,
)
from projects.providers.registry import get_provider

__all__ = ["Call", "Generation", "Provider", "ProviderError", "SourceFile", "get_provider"]
