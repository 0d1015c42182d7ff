"""Write the current database's Luna data as an original `luna.db` (the legacy schema of
contracts/legacy-stores.md), to measure `import_legacy luna` on a large store:

    DATABASE_URL=sqlite:///big.sqlite3 python bench/legacy_luna_store.py /tmp/luna.db
    DATABASE_URL=sqlite:///empty.sqlite3 python manage.py import_legacy luna /tmp/luna.db
"""

import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from venues.models import Friendship, Interest, Member, MemberCategory, Venue  # noqa: E402
from venues.tests.test_legacy import SCHEMA  # noqa: E402  (the documented DDL, in one place)


def text(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def main(target: str) -> None:
    started = time.monotonic()
    Path(target).unlink(missing_ok=True)
    conn = sqlite3.connect(target)
    conn.executescript(SCHEMA)
    tables = {
        "users": (
            (m[0], m[1], m[2], m[3], text(m[4]))
            for m in Member.objects.values_list(
                "id", "name", "avatar", "bio", "created_at"
            ).iterator(10000)
        ),
        "venues": (
            (*v[:8], text(v[8]))
            for v in Venue.objects.order_by("position")
            .values_list(
                "id",
                "name",
                "category",
                "description",
                "image",
                "address",
                "latitude",
                "longitude",
                "created_at",
            )
            .iterator(10000)
        ),
        "user_interests": (
            (f"{c[0]}_interest_{c[3]}", c[0], c[1], text(c[2]))
            for c in MemberCategory.objects.values_list(
                "member_id", "category", "created_at", "id"
            ).iterator(10000)
        ),
        "interests": (
            (i[0], i[1], text(i[2]))
            for i in Interest.objects.values_list("member_id", "venue_id", "created_at").iterator(
                10000
            )
        ),
        "friendships": (
            (f[0], f[1], text(f[2]))
            for f in Friendship.objects.values_list(
                "member_id", "friend_id", "created_at"
            ).iterator(10000)
        ),
    }
    total = 0
    for table, rows in tables.items():
        rows = list(rows)
        placeholders = ", ".join("?" * len(rows[0])) if rows else ""
        if rows:
            conn.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)
        total += len(rows)
        print(f"  {table:<16} {len(rows):>10,}")
    conn.commit()
    conn.close()
    print(f"wrote {target}: {total:,} rows in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1])
