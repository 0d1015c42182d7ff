"""How many ranking statements `/luna/recommendations` compiles: distinct keys over every member.

`venues.selectors._ranked_rows` compiles one statement per key it is asked for and keeps a
bounded number. This asks the ranking of every member with `limit=20` (the ranking itself not
run) and counts the keys. Until the lists became JSON parameters the key was the shape of the
member's score groups: 9,938 keys for 10,000 members at scale 0.1, so nearly every request
compiled; now it is the limit alone.

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
    keys = []
    selectors._ranked_rows = lambda key: keys.append(key) or NotRun()
    members = list(Member.objects.values_list("pk", flat=True))
    for member_id in members:
        selectors.recommendations_json(member_id=member_id, categories=[], limit=20)
    print(f"{len(members):,} members: {len(set(keys)):,} distinct ranking statements")


if __name__ == "__main__":
    main()
