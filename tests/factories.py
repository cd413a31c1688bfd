"""factory_boy factories for the whole record. They build rows directly (fast, any
state); tests of rules go through the services."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from consensus.models import Point, Stance
from debates.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Dialogue,
    Expectation,
    Outcome,
    Party,
    Position,
    PositionVersion,
    Rule,
    Session,
    Topic,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    display_name = factory.LazyAttribute(lambda o: f"{o.username.title()} Example")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("pw")


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True


class DialogueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dialogue

    title = factory.Sequence(lambda n: f"Dialogue {n}")
    languages = ["en", "zh-hans"]
    default_rule = Rule.CHATHAM_HOUSE


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    dialogue = factory.SubFactory(DialogueFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda o: f"Party {o.code}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    dialogue = factory.SubFactory(DialogueFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    track = Session.Track.TRACK_2
    rule = Rule.ON_RECORD
    starts_at = factory.Sequence(lambda n: timezone.now() + timedelta(days=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))


def topic(code: str = "malicious-use") -> Topic:
    """A topic of the seeded taxonomy."""
    return Topic.objects.get(code=code)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    session = factory.SubFactory(SessionFactory)
    topic = factory.LazyFunction(topic)
    title = factory.Sequence(lambda n: f"Agenda item {n}")
    order = factory.Sequence(lambda n: n)
    urgency = 3


class DelegationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegation

    session = factory.SubFactory(SessionFactory)
    party = factory.LazyAttribute(lambda o: PartyFactory(dialogue=o.session.dialogue))


class DelegationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DelegationMember

    delegation = factory.SubFactory(DelegationFactory)
    session = factory.LazyAttribute(lambda o: o.delegation.session)
    user = factory.SubFactory(UserFactory)
    role = "member"


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    delegation = factory.SubFactory(DelegationFactory)
    agenda_item = factory.LazyAttribute(lambda o: AgendaItemFactory(session=o.delegation.session))
    current_version = 1


class PositionVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PositionVersion

    position = factory.SubFactory(PositionFactory)
    number = 1
    text = factory.Sequence(lambda n: f"Position text {n}")
    visibility = "delegation"
    author = factory.SubFactory(UserFactory)


class PointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Point

    session = factory.SubFactory(SessionFactory)
    agenda_item = factory.LazyAttribute(lambda o: AgendaItemFactory(session=o.session))
    kind = Point.Kind.AGREEMENT
    statement = factory.Sequence(lambda n: f"Point {n}")
    status = Point.Status.CONFIRMED
    recorded_by = factory.SubFactory(UserFactory)


class StanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stance

    point = factory.SubFactory(PointFactory)
    delegation = factory.LazyAttribute(lambda o: DelegationFactory(session=o.point.session))
    stance = Stance.Value.AGREE
    recorded_by = factory.SubFactory(UserFactory)


class ExpectationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expectation

    delegation = factory.SubFactory(DelegationFactory)
    agenda_item = factory.LazyAttribute(lambda o: AgendaItemFactory(session=o.delegation.session))
    outcome = Outcome.EXCHANGE_VIEWS
    importance = 3


class ReportFactory(factory.django.DjangoModelFactory):
    """A report row in any state; a `ready` one has content and no export files."""

    class Meta:
        model = "reports.Report"

    session = factory.SubFactory(SessionFactory)
    kind = "post_session_report"
    version = factory.Sequence(lambda n: n + 1)
    status = "ready"
    content = factory.LazyAttribute(lambda o: {"schema_version": 1, "kind": o.kind})
