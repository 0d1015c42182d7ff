"""The GIN index behind memory search (PostgreSQL only; SQLite searches without it)."""

from django.db import migrations

import config.db
import config.search


class Migration(migrations.Migration):
    dependencies = [("memory", "0001_initial")]

    operations = [
        config.db.PostgresOnlyIndex(
            "memory",
            config.search.search_index(["content", "context"], name="memory_mem_search_gin"),
        ),
    ]
