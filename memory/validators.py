from typing import Any

from rest_framework import serializers


def no_nul_characters(value: Any) -> None:
    """Refuse NUL anywhere in a JSON value: PostgreSQL's jsonb cannot store `\\u0000`."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            raise serializers.ValidationError("Null characters are not allowed.")
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
