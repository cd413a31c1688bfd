"""Who may do what: one small predicate per role, shared by services and selectors
(in the manner of adhocracy4's rules.py). Each takes the person asking first."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import User
    from debates.models import Delegation, Session


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_facilitator(user: User, session: Session) -> bool:
    return session.facilitators.filter(pk=user.pk).exists()


def can_manage(user: User, session: Session) -> bool:
    """Admins and the session's facilitators run a session."""
    return is_admin(user) or is_facilitator(user, session)


def is_member(user: User, delegation: Delegation) -> bool:
    return delegation.members.filter(user_id=user.pk).exists()


def is_head(user: User, delegation: Delegation) -> bool:
    return delegation.members.filter(user_id=user.pk, role="head").exists()
