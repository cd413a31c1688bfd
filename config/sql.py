"""The statements of the busiest write (a position revision) without the ORM's
statement compiler, which costs several times more than running them: inserting one
row (a version, its audit event, its outbox event), on PostgreSQL as members of one
statement, and reading rows of several tables joined into model instances (the
position revised, with what its event names). insert() and instances() are portable
between PostgreSQL and SQLite; values are prepared and converted by the models' own
fields, as the ORM does."""

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


def values(obj: models.Model) -> list[Any]:
    """The column values of the unsaved `obj` as an INSERT writes them, in the order of
    its concrete fields (the primary key left out). Field defaults and auto_now_add
    apply as in save(), and are set on `obj`."""
    _, fields = _insert_sql(type(obj), connection.vendor)
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


def stored(obj: M, pk: Any) -> M:
    """`obj`, once its row is written with primary key `pk`."""
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def insert(obj: M) -> M:
    """Store the unsaved `obj` (an auto-incremented primary key, no parents) with one
    INSERT and give it its primary key. No signals are sent (Trackbridge has none on
    these models)."""
    sql, _ = _insert_sql(type(obj), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, values(obj))
        return stored(obj, cursor.fetchone()[0])


@functools.cache
def _insert_select_sql(model: type[models.Model], source: str, wrap: tuple) -> str:
    meta = model._meta
    _, fields = _insert_sql(model, connection.vendor)
    quote = connection.ops.quote_name
    wrapped = dict(wrap)
    selected = []
    for f in fields:
        # A SELECT list does not take its types from the columns written, as VALUES
        # does: each value is cast to its column's type (strings to text, so that one
        # too long for its column is refused, not cut).
        db_type = str(f.db_type(connection))
        placeholder = f"CAST(%s AS {'text' if db_type.startswith('varchar') else db_type})"
        selected.append(wrapped.get(f.attname, "%s").replace("%s", placeholder))
    columns = ", ".join(quote(str(f.column)) for f in fields)
    return (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (names from the models)
        f"SELECT {', '.join(selected)} FROM {source} RETURNING {quote(str(meta.pk.column))}"
    )


def insert_select(obj: models.Model, source: str, **wrap: str) -> tuple[str, list[Any]]:
    """PostgreSQL: the statement and parameters that write the unsaved `obj` once for
    each row of `source`, an earlier member of the same WITH: a write that happens only
    if that member returned a row. `wrap` maps a field's attname to SQL around its value
    (`%s`) that may use `source`'s columns. Sets obj's defaults, as values() does."""
    return _insert_select_sql(type(obj), source, tuple(sorted(wrap.items()))), values(obj)


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
