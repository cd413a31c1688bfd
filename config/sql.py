"""The statements of the busiest write (a position revision) without the ORM's
statement compiler, which costs several times more than running them: inserting one
row (a version, its audit event, its outbox event), and reading rows of several tables
joined into model instances (the position revised, with what its event names).
Portable between PostgreSQL and SQLite; values are prepared and converted by the
models' own fields, as the ORM does."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


@functools.cache
def _insert_sql(model: type[models.Model], vendor: str) -> tuple[str, tuple[models.Field, ...]]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if f is not meta.pk)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"RETURNING {quote(str(meta.pk.column))}"
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


@functools.cache
def _reading(model: type[models.Model], alias: str, vendor: str) -> tuple[str, tuple, tuple]:
    fields = tuple(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    select = ", ".join(f"{quote(alias)}.{quote(str(f.column))}" for f in fields)
    # The conversions the ORM applies to each column's value (dates on SQLite, JSON...),
    # with the column expression each is given.
    converters = tuple(
        (
            f.get_col(alias),
            connection.ops.get_db_converters(f.get_col(alias)) + f.get_db_converters(connection),
        )
        for f in fields
    )
    return select, fields, converters


def columns(model: type[models.Model], alias: str) -> str:
    """The SELECT list of every concrete column of `model`, its table aliased `alias`."""
    return _reading(model, alias, connection.vendor)[0]


def instances(row: tuple, *tables: tuple[type[models.Model], str]) -> list[Any]:
    """Cut a row selected with columns(model, alias) for each (model, alias) of
    `tables`, in that order, into model instances, as the ORM builds them."""
    made, start = [], 0
    for model, alias in tables:
        _, fields, converters = _reading(model, alias, connection.vendor)
        values = list(row[start : start + len(fields)])
        for i, (expression, field_converters) in enumerate(converters):
            for convert in field_converters:
                values[i] = convert(values[i], expression, connection)
        made.append(model.from_db(connection.alias, [f.attname for f in fields], values))
        start += len(fields)
    return made
