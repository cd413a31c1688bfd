"""Selectors that other reads build on: the builds_on chain, a person's roles per session,
and the seeded risk taxonomy (domain.md, "Risk taxonomy")."""

import re
from datetime import timedelta

import pytest

from debates import selectors
from debates.models import SessionLink, Topic, TopicCategory
from tests import factories

DAY = timedelta(days=1)
CJK = re.compile(r"[\u4e00-\u9fff]")


def sessions(count):
    """`count` sessions of one dialogue, a day apart, oldest first."""
    first = factories.SessionFactory()
    return [first] + [
        factories.SessionFactory(dialogue=first.dialogue, starts_at=first.starts_at + n * DAY)
        for n in range(1, count)
    ]


def link(later, *earlier):
    for session in earlier:
        SessionLink.objects.create(session=later, earlier=session)


@pytest.mark.django_db
def test_ancestors_follow_builds_on_transitively():
    s1, s2, s3, s4 = sessions(4)
    link(s2, s1)
    link(s3, s2)
    link(s4, s3)

    assert selectors.session_ancestor_ids(s1.pk) == []
    assert selectors.session_ancestor_ids(s2.pk) == [s1.pk]
    assert sorted(selectors.session_ancestor_ids(s4.pk)) == sorted([s1.pk, s2.pk, s3.pk])


@pytest.mark.django_db
def test_ancestors_of_a_diamond_are_listed_once():
    s1, s2, s3, s4 = sessions(4)
    link(s2, s1)
    link(s3, s1)
    link(s4, s2, s3)

    ancestors = selectors.session_ancestor_ids(s4.pk)

    assert sorted(ancestors) == sorted([s1.pk, s2.pk, s3.pk])
    assert len(ancestors) == 3


@pytest.mark.django_db
def test_ancestors_exclude_later_and_unlinked_sessions():
    _s1, s2, s3, s4 = sessions(4)
    link(s3, s2)
    link(s4, s3)

    # s1 is earlier but not built on; s4 builds on s3 but is not its ancestor.
    assert selectors.session_ancestor_ids(s3.pk) == [s2.pk]


@pytest.mark.parametrize(
    ("role", "roles"),
    [
        ("facilitator", {"facilitator"}),
        ("observer", {"observer"}),
        ("head", {"head"}),
        ("member", {"member"}),
        ("other_head", {"head"}),
        ("other_member", {"member"}),
    ],
)
def test_user_session_roles_name_the_role_in_the_session(world, role, roles):
    assert selectors.user_session_roles(user=world.roles()[role]) == {world.session.pk: roles}


def test_admin_and_outsider_have_no_role_in_the_session(world):
    # An admin reads everything but holds no role; the outsider observes another session.
    other = selectors.session_list(user=world.outsider).get()

    assert selectors.user_session_roles(user=world.admin) == {}
    assert selectors.user_session_roles(user=world.outsider) == {other.pk: {"observer"}}


def test_user_session_roles_gather_every_role_across_sessions(world):
    person = world.member_a
    world.session.facilitators.add(person)
    world.session.observers.add(person)
    elsewhere = factories.DelegationMemberFactory(user=person, role="advisor").delegation.session
    observed = factories.SessionFactory()
    observed.observers.add(person)

    assert selectors.user_session_roles(user=person) == {
        world.session.pk: {"member", "facilitator", "observer"},
        elsewhere.pk: {"advisor"},
        observed.pk: {"observer"},
    }


def test_user_session_roles_cost_three_queries(world, django_assert_num_queries):
    person = world.member_a
    world.session.facilitators.add(person)
    for _ in range(3):
        factories.SessionFactory().observers.add(person)

    # facilitated sessions, observed sessions, memberships
    with django_assert_num_queries(3):
        roles = selectors.user_session_roles(user=person)
    assert len(roles) == 4


# Risk taxonomy -------------------------------------------------------------------------

RISKS_PER_CATEGORY = {
    TopicCategory.TECHNOLOGICAL_SAFETY: 6,
    TopicCategory.APPLICATION_SECURITY: 5,
    TopicCategory.BENEFICIAL_USE: 3,
}


@pytest.mark.django_db
def test_taxonomy_has_three_categories_and_fourteen_risks():
    categories = Topic.objects.filter(parent__isnull=True)
    risks = Topic.objects.filter(parent__isnull=False).select_related("parent")

    assert sorted(c.category for c in categories) == sorted(TopicCategory.values)
    assert risks.count() == 14
    for category, count in RISKS_PER_CATEGORY.items():
        assert risks.filter(category=category).count() == count
    for risk in risks:
        assert risk.parent.parent_id is None
        assert risk.category == risk.parent.category
    assert selectors.topic_list().count() == 17


@pytest.mark.django_db
def test_every_topic_is_named_in_english_and_chinese():
    topics = list(Topic.objects.all())

    assert len(topics) == 17
    for topic in topics:
        assert topic.name.strip(), topic.code
        assert topic.name.isascii(), topic.code
        assert CJK.search(topic.name_zh), topic.code
        assert topic.localized_name("zh-hans") == topic.name_zh
        assert topic.localized_name("en") == topic.name
    assert len({t.name for t in topics}) == len({t.name_zh for t in topics}) == 17


@pytest.mark.django_db
def test_taxonomy_names_the_risks_of_the_domain():
    names = set(Topic.objects.filter(parent__isnull=False).values_list("name", flat=True))

    assert {
        "Militarization of AI",
        "AI for climate governance",
        "Model vulnerabilities",
        "Malicious use by non-state actors",
    } <= names
