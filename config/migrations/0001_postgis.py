from django.db import migrations

from config.db import PostgresOnlySQL


class Migration(migrations.Migration):
    """PostGIS for the geography columns (PostgreSQL only; SQLite uses latitude/longitude)."""

    initial = True
    dependencies: list = []

    operations = [
        PostgresOnlySQL(
            sql="CREATE EXTENSION IF NOT EXISTS postgis",
            reverse_sql="SELECT 1",  # other databases on the server may still use it
        ),
    ]
