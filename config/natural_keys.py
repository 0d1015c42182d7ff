"""Natural keys for rows whose identity is a business key (a member's interest in a venue,
a user's like of another user...), so that `loaddata` finds the row the API may have deleted
and re-created under a new surrogate key, and updates it instead of failing on the unique key.

A model lists the fields of its unique key in `natural_key_fields` (attnames) and uses a manager
with `get_by_natural_key`; the fixtures leave out `pk` for such rows.
"""

import uuid
from typing import Any

from django.db import models


class NaturalKeyManager(models.Manager):
    def get_by_natural_key(self, *key: Any) -> models.Model:
        return self.get(**dict(zip(self.model.natural_key_fields, key, strict=True)))


class NaturalKeyMixin:
    natural_key_fields: tuple[str, ...] = ()

    def natural_key(self) -> tuple:
        values = (getattr(self, name) for name in self.natural_key_fields)
        return tuple(str(value) if isinstance(value, uuid.UUID) else value for value in values)
