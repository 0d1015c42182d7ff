"""How many ranking statements `/luna/recommendations` compiles: distinct shapes over every member.

`venues.selectors._ranked_rows` compiles one statement per shape (the member's score groups'
sizes, the matched categories, the limit) and keeps the last 512. This asks the ranking of
every member with `limit=20` (the ranking itself not run) and counts the shapes it asked for.

    DATABASE_URL=... python bench/recommendation_shapes.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from venues import selectors  # noqa: E402
from venues.models import Member  # noqa: E402


class NotRun:
    def rows(self, *values):
        return []


def main() -> None:
    shapes = []
    selectors._ranked_rows = lambda shape: shapes.append(shape) or NotRun()
    members = list(Member.objects.values_list("pk", flat=True))
    for member_id in members:
        selectors.recommendations_json(member_id=member_id, categories=[], limit=20)
    print(f"{len(members):,} members: {len(set(shapes)):,} distinct ranking shapes")


if __name__ == "__main__":
    main()
