"""Reads of the dialogue record, scoped to the person asking.

Every view starts from one of these: a person sees a session only as its admin,
facilitator, delegation member or observer (domain.md, "Confidentiality"), and a
position version only as its visibility allows. Anything else is simply not in the
queryset, which is what makes it answer 404."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.models import User
from config import sql
from debates import rules
from debates.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Dialogue,
    Expectation,
    Party,
    Position,
    PositionVersion,
    Session,
    Topic,
    Visibility,
)

Facilitation = Session.facilitators.through
Observation = Session.observers.through


def facilitated_session_ids(user: User) -> QuerySet:
    return Facilitation.objects.filter(user_id=user.pk).values("session_id")


def session_people_q(user: User, field: str = "pk") -> Q:
    """Q on a model whose `field` is a session id: the sessions `user` is a person of.

    Three IN subqueries rather than joins through the people tables, so a session is
    never repeated and the whole filter stays one SQL query."""
    observed = Observation.objects.filter(user_id=user.pk).values("session_id")
    delegated = DelegationMember.objects.filter(user_id=user.pk).values("session_id")
    return (
        Q(**{f"{field}__in": facilitated_session_ids(user)})
        | Q(**{f"{field}__in": observed})
        | Q(**{f"{field}__in": delegated})
    )


def session_list(*, user: User) -> QuerySet[Session]:
    sessions = Session.objects.select_related("dialogue")
    if rules.is_admin(user):
        return sessions
    return sessions.filter(session_people_q(user))


def session_get(*, user: User, pk: int) -> Session:
    """Raises Session.DoesNotExist when the session is missing or not the user's."""
    return session_list(user=user).get(pk=pk)


def session_ancestor_ids(session_id: int) -> list[int]:
    """The sessions `session_id` builds on, followed transitively (nearest first is not
    guaranteed). One recursive query; UNION stops at a session already reached."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE chain(id) AS (
                SELECT earlier_id FROM debates_sessionlink WHERE session_id = %s
                UNION
                SELECT link.earlier_id FROM debates_sessionlink link
                JOIN chain ON link.session_id = chain.id
            )
            SELECT id FROM chain
            """,
            [session_id],
        )
        return [row[0] for row in cursor.fetchall()]


def dialogue_list(*, user: User) -> QuerySet[Dialogue]:
    if rules.is_admin(user):
        return Dialogue.objects.all()
    visible = Session.objects.filter(session_people_q(user)).values("dialogue_id")
    return Dialogue.objects.filter(pk__in=visible)


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.select_related("parent")


def agenda_item_list(*, user: User, session: Session | None = None) -> QuerySet[AgendaItem]:
    items = AgendaItem.objects.select_related("topic")
    if not rules.is_admin(user):
        items = items.filter(session_people_q(user, "session_id"))
    if session is not None:
        items = items.filter(session=session)
    return items


def agenda_by_urgency(*, user: User, session: Session) -> QuerySet[AgendaItem]:
    return agenda_item_list(user=user, session=session).order_by("-urgency", "order", "id")


def delegation_list(*, user: User, session: Session | None = None) -> QuerySet[Delegation]:
    delegations = Delegation.objects.select_related("party", "session").prefetch_related(
        Prefetch("members", queryset=DelegationMember.objects.select_related("user"))
    )
    if not rules.is_admin(user):
        delegations = delegations.filter(session_people_q(user, "session_id"))
    if session is not None:
        delegations = delegations.filter(session=session)
    return delegations


def expectation_list(*, user: User, delegation: Delegation) -> QuerySet[Expectation]:
    expectations = Expectation.objects.filter(delegation=delegation).select_related("agenda_item")
    if not rules.is_admin(user):
        expectations = expectations.filter(session_people_q(user, "delegation__session_id"))
    return expectations


def version_visible_q(user: User, prefix: str = "") -> Q:
    """Q on PositionVersion (or, with a prefix, a model leading to one): the versions
    `user` may read. Own delegation, the session's facilitators and admins read every
    version; the other people of the session read `session` and `public` ones."""
    if rules.is_admin(user):
        return Q()
    session_field = f"{prefix}position__delegation__session_id"
    own_delegation = Q(
        **{
            f"{prefix}position__delegation_id__in": DelegationMember.objects.filter(
                user_id=user.pk
            ).values("delegation_id")
        }
    )
    facilitates = Q(**{f"{session_field}__in": facilitated_session_ids(user)})
    shared = Q(
        **{f"{prefix}visibility__in": [Visibility.SESSION, Visibility.PUBLIC]}
    ) & session_people_q(user, session_field)
    return own_delegation | facilitates | shared


def position_readable_q(user: User) -> Q:
    """Q on Position: the positions with at least one version `user` may read (see
    version_visible_q). Said of the position itself, so that a list filters, counts and
    paginates positions without first finding each one's latest readable version: its
    own delegation and the session's facilitators read every version, and a position
    always has one; the session's other people need a `session` or `public` one."""
    own_delegation = Q(
        delegation_id__in=DelegationMember.objects.filter(user_id=user.pk).values("delegation_id")
    )
    facilitates = Q(delegation__session_id__in=facilitated_session_ids(user))
    shared_version = PositionVersion.objects.filter(
        position=OuterRef("pk"), visibility__in=[Visibility.SESSION, Visibility.PUBLIC]
    )
    shared = session_people_q(user, "delegation__session_id") & Q(Exists(shared_version))
    return own_delegation | facilitates | shared


def position_list(*, user: User) -> QuerySet[Position]:
    """Positions with at least one version `user` may read, each annotated with
    `visible_version` and `visible_version_id`: the number and id of the latest such
    version. The annotations are subqueries the database evaluates only for the rows it
    returns (after ORDER BY and LIMIT), so a page costs the same whatever the list's
    length."""
    latest_visible = (
        PositionVersion.objects.filter(position=OuterRef("pk"))
        .filter(version_visible_q(user))
        .order_by("-number")
    )
    positions = Position.objects.select_related(
        "delegation__party", "delegation__session", "agenda_item__topic"
    )
    if not rules.is_admin(user):
        positions = positions.filter(position_readable_q(user))
    return positions.annotate(
        visible_version=Subquery(latest_visible.values("number")[:1]),
        visible_version_id=Subquery(latest_visible.values("pk")[:1]),
    )


def position_get(*, user: User, pk: int) -> Position:
    return position_list(user=user).get(pk=pk)


def position_to_revise(
    *, user: User, pk: int, based_on: int
) -> tuple[Position, PositionVersion | None]:
    """Position `pk` when `user` is a member of its delegation (who reads and revises
    every version of it), with its delegation, party, session and agenda item, and its
    version `based_on` (None when it has no such version); Position.DoesNotExist when
    `user` is not a member. One query, written out: every revision starts here."""
    with connection.cursor() as cursor:
        cursor.execute(_position_to_revise_sql(connection.vendor), [based_on, pk, user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Position.DoesNotExist(f"No position {pk} of a delegation of user {user.pk}.")
    position, delegation, party, session, item, version = sql.instances(row, *_REVISE_TABLES)
    delegation.party, delegation.session = party, session
    position.delegation, position.agenda_item = delegation, item
    return position, version if version.pk is not None else None


_REVISE_TABLES = (
    (Position, "p"),
    (Delegation, "d"),
    (Party, "pa"),
    (Session, "s"),
    (AgendaItem, "a"),
    (PositionVersion, "v"),
)


@functools.cache
def _position_to_revise_sql(vendor: str) -> str:
    tables = {alias: connection.ops.quote_name(m._meta.db_table) for m, alias in _REVISE_TABLES}
    member = connection.ops.quote_name(DelegationMember._meta.db_table)
    return f"""
        SELECT {", ".join(sql.columns(model, alias) for model, alias in _REVISE_TABLES)}
        FROM {tables["p"]} p
        JOIN {tables["d"]} d ON d.id = p.delegation_id
        JOIN {tables["pa"]} pa ON pa.id = d.party_id
        JOIN {tables["s"]} s ON s.id = d.session_id
        JOIN {tables["a"]} a ON a.id = p.agenda_item_id
        LEFT JOIN {tables["v"]} v ON v.position_id = p.id AND v.number = %s
        WHERE p.id = %s
        AND EXISTS (SELECT 1 FROM {member} m WHERE m.delegation_id = d.id AND m.user_id = %s)
    """  # noqa: S608 (table and column names from the models)


def position_version_list(*, user: User, position: Position) -> QuerySet[PositionVersion]:
    """The versions of `position` that `user` may read, oldest first."""
    return (
        PositionVersion.objects.filter(position=position)
        .filter(version_visible_q(user))
        .select_related("author")
        .order_by("number")
    )


def user_session_roles(*, user: User) -> dict[int, set[str]]:
    """Session id -> the user's roles there (facilitator, observer, head, member,
    advisor). Three queries whatever the number of sessions."""
    roles: dict[int, set[str]] = {}
    for session_id in facilitated_session_ids(user).values_list("session_id", flat=True):
        roles.setdefault(session_id, set()).add("facilitator")
    observed = Observation.objects.filter(user_id=user.pk).values_list("session_id", flat=True)
    for session_id in observed:
        roles.setdefault(session_id, set()).add("observer")
    memberships = DelegationMember.objects.filter(user_id=user.pk).values_list("session_id", "role")
    for session_id, role in memberships:
        roles.setdefault(session_id, set()).add(role)
    return roles
