"""Bounds every app applies to client input, the same on SQLite and PostgreSQL.

Django's implicit integer limits differ by engine (64-bit on SQLite, 32-bit on PostgreSQL), so
serializers state their bounds explicitly with these constants; the JSON parser, the pagination
class and the search validator below use them too.
"""

import math
from typing import Any

from rest_framework import serializers

INT32_MAX = 2**31 - 1  # PostgreSQL `integer`; also the bound for every counter a client may set
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # integers inside JSON values
MAX_JSON_DEPTH = 32  # nesting of arrays/objects in a request body
MAX_SEARCH_LENGTH = 200  # characters in a search query
MAX_SEARCH_WORDS = 16  # words in a search query (SQLite builds one expression per word and field)
MAX_PAGE_SIZE = 200  # `limit` of every limit/offset list
MAX_OFFSET = INT32_MAX  # `offset` of every limit/offset list
MAX_IMAGE_PIXELS = 40_000_000  # width × height of an uploaded image (e.g. 8000 × 5000)


def bounded_int(**kwargs: Any) -> serializers.IntegerField:
    """An IntegerField bounded to PostgreSQL's `integer` on both engines (0 .. 2^31-1 by default)."""
    kwargs.setdefault("min_value", 0)
    kwargs.setdefault("max_value", INT32_MAX)
    return serializers.IntegerField(**kwargs)


def json_problem(value: Any) -> str | None:
    """Why `value` (a decoded JSON document) cannot be stored and served again, or None.

    Iterative, so it is safe on any depth the decoder accepted.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return f"JSON is nested more than {MAX_JSON_DEPTH} levels deep."
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            if "\x00" in item:
                return "Null characters are not allowed."
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                return "Integers must fit in 64 bits (-2^63 .. 2^63-1)."
        elif isinstance(item, float) and not math.isfinite(item):
            return "Numbers must be finite."
    return None


def validate_json_value(value: Any) -> None:
    """Serializer validator for JSON/Dict/List fields whose data did not come through our parser
    (form data, or values built by the view)."""
    problem = json_problem(value)
    if problem:
        raise serializers.ValidationError(problem)


def validate_search_text(value: str) -> None:
    """Search input: at most MAX_SEARCH_WORDS words (pair it with max_length=MAX_SEARCH_LENGTH)."""
    from config.search import query_words

    if len(query_words(value)) > MAX_SEARCH_WORDS:
        raise serializers.ValidationError(f"Search text has too many words: at most {MAX_SEARCH_WORDS}.")
