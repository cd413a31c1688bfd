"""Writes of people."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from audit.services import audit_record, snapshot
from debates.errors import InvalidInput
from debates.services import require_admin

USER_FIELDS = ["username", "email", "display_name", "language", "is_staff"]


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    email: str = "",
    display_name: str = "",
    language: str = "en",
) -> User:
    require_admin(actor, "create people")
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput("This username is taken.", field="username")
    user = User(username=username, email=email, display_name=display_name, language=language)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user.create", obj=user, after=snapshot(user, USER_FIELDS))
    return user
