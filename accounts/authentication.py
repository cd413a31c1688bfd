"""Token authentication, as DRF's, with the token and its person read by one statement
written out: every API request pays this read, and composing it with the ORM costs
several times more than running it."""

from __future__ import annotations

import functools

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from accounts.models import User
from config import sql

_TABLES = ((Token, "t"), (User, "u"))


@functools.cache
def _token_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    return f"""
        SELECT {sql.columns(Token, "t")}, {sql.columns(User, "u")}
        FROM {quote(Token._meta.db_table)} t
        JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id
        WHERE t.key = %s
    """  # noqa: S608 (table and column names from the models)


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`; the same answers as DRF's for a wrong key or an
    inactive person."""

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        with connection.cursor() as cursor:
            cursor.execute(_token_sql(connection.vendor), [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token, user = sql.instances(row, *_TABLES)
        token.user = user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, token
