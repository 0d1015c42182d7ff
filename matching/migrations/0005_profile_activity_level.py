"""matching_profile.activity_level: a copy of the profile's Preferences.activity_level ('medium'
without preferences), kept by triggers in the same statement as every preferences write.

Discovery scores its pool of ~500 nearest profiles by it: reading it from the profile row spares
one preferences probe per candidate (PostgreSQL, scale 0.1: ~1,400 of ~1,950 buffer hits of the
page statement). Like the PostGIS `geog` column, the ORM does not know it, so no model save can
write a stale value over the triggers'; only SQL reads it (matching.selectors).
"""

from django.db import migrations

POSTGRESQL = [
    "ALTER TABLE matching_profile ADD COLUMN activity_level varchar(10) NOT NULL DEFAULT 'medium'",
    "UPDATE matching_profile p SET activity_level = f.activity_level"
    " FROM matching_preferences f WHERE f.profile_id = p.id",
    """CREATE FUNCTION matching_preferences_activity_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE matching_profile SET activity_level = 'medium' WHERE id = OLD.profile_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE matching_profile SET activity_level = NEW.activity_level WHERE id = NEW.profile_id;
    END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER matching_preferences_activity_write AFTER INSERT OR DELETE"
    " ON matching_preferences FOR EACH ROW EXECUTE FUNCTION matching_preferences_activity_copy()",
    "CREATE TRIGGER matching_preferences_activity_update AFTER UPDATE"
    " OF activity_level, profile_id ON matching_preferences FOR EACH ROW"
    " WHEN (OLD.activity_level IS DISTINCT FROM NEW.activity_level"
    " OR OLD.profile_id IS DISTINCT FROM NEW.profile_id)"
    " EXECUTE FUNCTION matching_preferences_activity_copy()",
    # A profile inserted after its preferences (loaddata defers foreign key checks).
    """CREATE FUNCTION matching_profile_activity_read() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.activity_level := COALESCE(
        (SELECT activity_level FROM matching_preferences WHERE profile_id = NEW.id), 'medium');
    RETURN NEW;
END $$""",
    "CREATE TRIGGER matching_profile_activity_insert BEFORE INSERT ON matching_profile"
    " FOR EACH ROW EXECUTE FUNCTION matching_profile_activity_read()",
]
POSTGRESQL_BACKWARDS = [
    "DROP TRIGGER matching_profile_activity_insert ON matching_profile",
    "DROP FUNCTION matching_profile_activity_read()",
    "DROP TRIGGER matching_preferences_activity_update ON matching_preferences",
    "DROP TRIGGER matching_preferences_activity_write ON matching_preferences",
    "DROP FUNCTION matching_preferences_activity_copy()",
    "ALTER TABLE matching_profile DROP COLUMN activity_level",
]

SQLITE = [
    "ALTER TABLE matching_profile ADD COLUMN activity_level varchar(10) NOT NULL DEFAULT 'medium'",
    "UPDATE matching_profile SET activity_level = COALESCE((SELECT f.activity_level"
    " FROM matching_preferences f WHERE f.profile_id = matching_profile.id), 'medium')",
    "CREATE TRIGGER matching_preferences_activity_insert AFTER INSERT ON matching_preferences"
    " BEGIN UPDATE matching_profile SET activity_level = NEW.activity_level"
    " WHERE id = NEW.profile_id; END",
    "CREATE TRIGGER matching_preferences_activity_update AFTER UPDATE"
    " OF activity_level, profile_id ON matching_preferences"
    " WHEN OLD.activity_level IS NOT NEW.activity_level OR OLD.profile_id IS NOT NEW.profile_id"
    " BEGIN UPDATE matching_profile SET activity_level = 'medium' WHERE id = OLD.profile_id;"
    " UPDATE matching_profile SET activity_level = NEW.activity_level"
    " WHERE id = NEW.profile_id; END",
    "CREATE TRIGGER matching_preferences_activity_delete AFTER DELETE ON matching_preferences"
    " BEGIN UPDATE matching_profile SET activity_level = 'medium'"
    " WHERE id = OLD.profile_id; END",
    # A profile inserted after its preferences (loaddata turns foreign key checks off).
    "CREATE TRIGGER matching_profile_activity_insert AFTER INSERT ON matching_profile"
    " BEGIN UPDATE matching_profile SET activity_level = COALESCE((SELECT f.activity_level"
    " FROM matching_preferences f WHERE f.profile_id = NEW.id), 'medium')"
    " WHERE id = NEW.id; END",
]
SQLITE_BACKWARDS = [
    "DROP TRIGGER matching_profile_activity_insert",
    "DROP TRIGGER matching_preferences_activity_delete",
    "DROP TRIGGER matching_preferences_activity_update",
    "DROP TRIGGER matching_preferences_activity_insert",
    "ALTER TABLE matching_profile DROP COLUMN activity_level",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements[schema_editor.connection.vendor]:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0004_favourite_created_index"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_BACKWARDS, "sqlite": SQLITE_BACKWARDS}),
        ),
    ]
