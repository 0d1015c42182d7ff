import json

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from config.dbstats import database_stats, human_size


class Command(BaseCommand):
    help = (
        "Show the database engine, size, rows per table and the last backup (--json for scripts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the figures as JSON")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, **options):
        stats = database_stats(using=options["database"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "engine": stats.engine,
                        "name": stats.name,
                        "size_bytes": stats.size_bytes,
                        "total_rows": stats.total_rows,
                        "tables": stats.tables,
                        "last_backup": stats.last_backup,
                    },
                    indent=2,
                )
            )
            return
        self.stdout.write(f"  engine:      {stats.engine} ({stats.name})")
        self.stdout.write(
            f"  size:        {human_size(stats.size_bytes)} ({stats.size_bytes} bytes)"
        )
        backup = stats.last_backup
        if backup:
            self.stdout.write(
                f"  last backup: {backup['created_at']} {backup['file']} "
                f"({backup['total_rows']} rows)"
            )
        else:
            self.stdout.write("  last backup: none")
        width = max([len(table) for table in stats.tables] + [5])
        self.stdout.write(f"  {'table':<{width}}  {'rows':>10}")
        for table, rows in stats.tables.items():
            self.stdout.write(f"  {table:<{width}}  {rows:>10}")
        self.stdout.write(
            self.style.SUCCESS(f"dbstats: {len(stats.tables)} tables, {stats.total_rows} rows")
        )
