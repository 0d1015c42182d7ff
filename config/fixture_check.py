"""Compare the database with a fixture: what `loaddata` of that fixture promises to leave."""

import json
from pathlib import Path

from django.conf import settings
from django.core import serializers


def fixture_path(name: str) -> Path:
    return next(Path(folder) / f"{name}.json" for folder in settings.FIXTURE_DIRS)


def fixture_differences(name: str) -> list[str]:
    """Every seed row of the fixture that is missing from the database or differs from it.

    Fields the fixture lists are compared. Rows are found the way loaddata finds them: by primary key, or by natural key for rows
    whose identity is a business key (deserializing looks them up).
    """
    problems = []
    text = fixture_path(name).read_text()
    raw_records = json.loads(text)
    records = serializers.deserialize("json", text)
    for index, (raw, record) in enumerate(zip(raw_records, records, strict=True)):
        expected = record.object
        model = type(expected)
        label = f"{model._meta.label_lower} #{index}"
        stored = model._default_manager.filter(pk=expected.pk).first()
        if expected.pk is None or stored is None:
            problems.append(f"{label}: missing")
            continue
        # Fields the fixture leaves out keep their defaults (e.g. timestamps set when saved).
        for field in (model._meta.get_field(key) for key in raw["fields"]):
            if field.many_to_many:
                continue
            want, have = getattr(expected, field.attname), getattr(stored, field.attname)
            if want != have:
                problems.append(f"{label}.{field.name}: {have!r} != {want!r}")
    return problems
