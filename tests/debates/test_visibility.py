"""Who reads what (domain.md, "Confidentiality"): a person sees a session only as its
admin, facilitator, delegation member or observer, and a position version only as its
visibility allows. Inside the session the rule (on the record or Chatham House) changes
nothing: it governs views from outside the session and exports."""

import pytest

from consensus import selectors as consensus_selectors
from debates import selectors, services
from debates.models import Rule, Session, Visibility
from tests import factories

Status = Session.Status

ROLES = ["admin", "facilitator", "head", "member", "other_head", "other_member", "observer"]
ROLES_AND_OUTSIDER = [*ROLES, "outsider"]

# Who reads a version of delegation A's position, by the version's visibility.
READERS = {
    Visibility.DELEGATION: {"admin", "facilitator", "head", "member"},
    Visibility.SESSION: set(ROLES),
    Visibility.PUBLIC: set(ROLES),
}


@pytest.mark.parametrize("rule", [Rule.ON_RECORD, Rule.CHATHAM_HOUSE])
@pytest.mark.parametrize("visibility", Visibility.values)
@pytest.mark.parametrize("role", ROLES_AND_OUTSIDER)
def test_position_is_read_only_by_whom_its_visibility_allows(make_world, rule, visibility, role):
    world = make_world(rule=rule, status=Status.IN_PROGRESS)
    position = services.position_log(
        actor=world.member_a,
        delegation=world.delegation_a,
        agenda_item=world.item,
        text="We favour shared red-teaming.",
        visibility=visibility,
    )
    user = world.roles()[role]
    reads = role in READERS[visibility]

    listed = {p.pk: p.visible_version for p in selectors.position_list(user=user)}
    versions = selectors.position_version_list(user=user, position=position)

    assert listed == ({position.pk: 1} if reads else {})
    assert [v.number for v in versions] == ([1] if reads else [])
    if not reads:
        with pytest.raises(type(position).DoesNotExist):
            selectors.position_get(user=user, pk=position.pk)


@pytest.mark.parametrize("role", ROLES)
def test_people_of_the_session_see_it_and_everything_in_it(make_world, role):
    world = make_world(status=Status.IN_PROGRESS)
    point = factories.PointFactory(session=world.session, agenda_item=world.item)
    user = world.roles()[role]

    assert world.session in selectors.session_list(user=user)
    assert selectors.session_get(user=user, pk=world.session.pk) == world.session
    assert world.session.dialogue in selectors.dialogue_list(user=user)
    assert list(selectors.agenda_item_list(user=user, session=world.session)) == [world.item]
    assert set(selectors.delegation_list(user=user, session=world.session)) == {
        world.delegation_a,
        world.delegation_b,
    }
    assert list(consensus_selectors.point_list(user=user, session=world.session)) == [point]


def test_outsider_sees_nothing_of_the_session(make_world):
    world = make_world(status=Status.IN_PROGRESS)
    point = factories.PointFactory(session=world.session, agenda_item=world.item)
    # The outsider observes another session of the same dialogue, which has its own
    # agenda, delegation and point: what they see there must not leak this session's.
    own = selectors.session_list(user=world.outsider).get()
    own_item = factories.AgendaItemFactory(session=own)
    own_delegation = factories.DelegationFactory(session=own)
    own_point = factories.PointFactory(session=own, agenda_item=own_item)

    assert list(selectors.session_list(user=world.outsider)) == [own]
    with pytest.raises(Session.DoesNotExist):
        selectors.session_get(user=world.outsider, pk=world.session.pk)
    assert list(selectors.agenda_item_list(user=world.outsider)) == [own_item]
    assert not selectors.agenda_item_list(user=world.outsider, session=world.session).exists()
    assert list(selectors.delegation_list(user=world.outsider)) == [own_delegation]
    assert not selectors.delegation_list(user=world.outsider, session=world.session).exists()
    assert list(consensus_selectors.point_list(user=world.outsider)) == [own_point]
    with pytest.raises(type(point).DoesNotExist):
        consensus_selectors.point_get(user=world.outsider, pk=point.pk)


def test_person_of_no_session_sees_no_session_dialogue_or_content(make_world):
    world = make_world(status=Status.IN_PROGRESS)
    factories.PointFactory(session=world.session, agenda_item=world.item)
    stranger = factories.UserFactory()

    assert not selectors.session_list(user=stranger).exists()
    assert not selectors.dialogue_list(user=stranger).exists()
    assert not selectors.agenda_item_list(user=stranger).exists()
    assert not selectors.delegation_list(user=stranger).exists()
    assert not consensus_selectors.point_list(user=stranger).exists()
    assert not selectors.expectation_list(user=stranger, delegation=world.delegation_a).exists()


def test_outsider_sees_dialogue_only_through_own_session(make_world):
    world = make_world()
    unrelated = make_world()

    assert list(selectors.dialogue_list(user=world.outsider)) == [world.session.dialogue]
    assert unrelated.session.dialogue not in selectors.dialogue_list(user=world.outsider)


def test_facilitator_of_one_session_reads_no_private_position_of_another(make_world):
    world = make_world(status=Status.IN_PROGRESS)
    elsewhere = make_world(status=Status.IN_PROGRESS)
    services.position_log(
        actor=world.member_a,
        delegation=world.delegation_a,
        agenda_item=world.item,
        text="Private.",
    )

    assert not selectors.position_list(user=elsewhere.facilitator).exists()


def test_member_reads_no_private_position_of_own_delegation_at_another_session(make_world):
    # Membership grants reading one's own delegation's versions, not the versions of
    # every delegation of the same party.
    world = make_world(status=Status.IN_PROGRESS)
    earlier = factories.SessionFactory(dialogue=world.session.dialogue, status=Status.IN_PROGRESS)
    earlier_a = factories.DelegationFactory(session=earlier, party=world.delegation_a.party)
    earlier_member = factories.DelegationMemberFactory(delegation=earlier_a).user
    position = factories.PositionFactory(delegation=earlier_a)
    factories.PositionVersionFactory(position=position, author=earlier_member)

    assert not selectors.position_list(user=world.member_a).exists()
    assert list(selectors.position_list(user=earlier_member)) == [position]


def revise_chain(world, first: str, second: str):
    position = services.position_log(
        actor=world.member_a,
        delegation=world.delegation_a,
        agenda_item=world.item,
        text="v1",
        visibility=first,
    )
    services.position_revise(
        actor=world.head_a, position=position, based_on=1, text="v2", visibility=second
    )
    return position


def visible(user, position):
    return (
        selectors.position_get(user=user, pk=position.pk).visible_version,
        [v.text for v in selectors.position_version_list(user=user, position=position)],
    )


@pytest.mark.parametrize("role", ["other_head", "other_member", "observer"])
def test_version_opened_to_session_shows_others_only_that_version(make_world, role):
    world = make_world(status=Status.AGENDA_PUBLISHED)
    position = revise_chain(world, Visibility.DELEGATION, Visibility.SESSION)

    assert visible(world.roles()[role], position) == (2, ["v2"])


@pytest.mark.parametrize("role", ["other_head", "other_member", "observer"])
def test_version_closed_again_shows_others_the_last_open_one(make_world, role):
    world = make_world(status=Status.AGENDA_PUBLISHED)
    position = revise_chain(world, Visibility.SESSION, Visibility.DELEGATION)

    assert visible(world.roles()[role], position) == (1, ["v1"])


@pytest.mark.parametrize("first", [Visibility.DELEGATION, Visibility.SESSION])
@pytest.mark.parametrize("role", ["admin", "facilitator", "head", "member"])
def test_own_delegation_and_managers_read_every_version(make_world, role, first):
    world = make_world(status=Status.AGENDA_PUBLISHED)
    second = Visibility.SESSION if first == Visibility.DELEGATION else Visibility.DELEGATION
    position = revise_chain(world, first, second)

    assert visible(world.roles()[role], position) == (2, ["v1", "v2"])
