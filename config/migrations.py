"""Helpers for migrations."""

from django.db import migrations


def postgresql_only(forward_sql: str, backward_sql: str) -> migrations.RunPython:
    """A migration step that runs SQL on PostgreSQL and nothing on SQLite (the embedded
    default, which relies on the services for the rules such SQL enforces).

    A plain cursor, not schema_editor.execute: the SQL's own % placeholders (in RAISE)
    belong to PL/pgSQL, not to Python's parameter style."""

    def run(sql: str):
        def step(apps, schema_editor):
            if schema_editor.connection.vendor == "postgresql":
                with schema_editor.connection.cursor() as cursor:
                    cursor.execute(sql)

        return step

    return migrations.RunPython(run(forward_sql), run(backward_sql))
