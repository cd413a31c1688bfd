"""Inserting one row without the ORM's statement compiler, for the rows every write
adds (a position version, its audit event, its outbox event): composing an INSERT with
the ORM costs several times more than running it. Portable between PostgreSQL and
SQLite; values are prepared by the model's own fields, as save() prepares them."""

from __future__ import annotations

import functools
from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


@functools.cache
def _insert_sql(model: type[models.Model], vendor: str) -> tuple[str, tuple[models.Field, ...]]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if f is not meta.pk)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


def insert(obj: M) -> M:
    """Store the unsaved `obj` (an auto-incremented primary key, no parents) with one
    INSERT and give it its primary key. Field defaults and auto_now_add apply as in
    save(); no signals are sent (Trackbridge has none on these models)."""
    sql, fields = _insert_sql(type(obj), connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj
