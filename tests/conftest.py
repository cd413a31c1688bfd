"""Shared fixtures. The suite runs on real PostgreSQL and Redis (`make test` points
DATABASE_URL and REDIS_URL at them); it stops at once, with one line, if either is down."""

import tempfile
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings

from accounts.models import User
from debates.models import AgendaItem, Delegation, Rule, Session
from tests import factories


def pytest_configure(config):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit("the suite needs PostgreSQL: set DATABASE_URL (make test does)", returncode=2)
    import psycopg
    import redis

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0]
        pytest.exit(f"PostgreSQL is unreachable ({reason}); start it and retry", returncode=2)
    # Report exports and other files go to a folder of this run, not the checkout.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="trackbridge-test-media-")
    if not settings.REDIS_URL:
        pytest.exit("the suite needs Redis: set REDIS_URL (make test does)", returncode=2)
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis is unreachable at {settings.REDIS_URL} ({exc}); start it", returncode=2)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    # Each test gets its own key prefix on the real Redis cache: its throttle counters
    # start at zero, and no test (nor the other xdist worker) flushes another's.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }


@dataclass
class World:
    """One session with a person in every role, and two delegations (A and B)."""

    session: Session
    item: AgendaItem
    delegation_a: Delegation
    delegation_b: Delegation
    admin: User
    facilitator: User
    head_a: User
    member_a: User
    head_b: User
    member_b: User
    observer: User
    outsider: User

    def roles(self) -> dict[str, User]:
        return {
            "admin": self.admin,
            "facilitator": self.facilitator,
            "head": self.head_a,
            "member": self.member_a,
            "other_head": self.head_b,
            "other_member": self.member_b,
            "observer": self.observer,
            "outsider": self.outsider,
        }


def build_world(*, rule: str = Rule.ON_RECORD, status: str = Session.Status.DRAFT) -> World:
    session = factories.SessionFactory(rule=rule, status=status)
    item = factories.AgendaItemFactory(session=session)
    delegation_a = factories.DelegationFactory(session=session)
    delegation_b = factories.DelegationFactory(session=session)
    world = World(
        session=session,
        item=item,
        delegation_a=delegation_a,
        delegation_b=delegation_b,
        admin=factories.AdminFactory(),
        facilitator=factories.UserFactory(),
        head_a=factories.DelegationMemberFactory(delegation=delegation_a, role="head").user,
        member_a=factories.DelegationMemberFactory(delegation=delegation_a).user,
        head_b=factories.DelegationMemberFactory(delegation=delegation_b, role="head").user,
        member_b=factories.DelegationMemberFactory(delegation=delegation_b).user,
        observer=factories.UserFactory(),
        outsider=factories.UserFactory(),
    )
    session.facilitators.add(world.facilitator)
    session.observers.add(world.observer)
    # The outsider belongs to another session of the same dialogue: close, but not in.
    other = factories.SessionFactory(dialogue=session.dialogue)
    other.observers.add(world.outsider)
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def make_world(db):
    return build_world
