"""Every list endpoint, and the consensus figures, run a fixed number of queries
whatever the number of rows (house-style.md, "Tests"): each is measured at 1 and at 50
rows, with the same budget, and the comment above the budget names the queries.

Clients are force-authenticated, so no query of token or session sign-in is counted.
Each test runs as the least person the endpoint serves, so the visibility filters of the
selectors are part of what is measured; admin-only endpoints run as an admin."""

from datetime import timedelta

import pytest

from audit.services import audit_record
from consensus.models import Point, Stance
from debates.models import Expectation, Outcome, SessionLink, Topic, TopicCategory, Visibility
from tests import factories

ROWS = [1, 50]


def page_count(response, rows):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == rows
    assert len(body["results"]) == rows
    return body["results"]


@pytest.mark.parametrize("rows", ROWS)
def test_dialogue_list_runs_two_queries(world, client_for, django_assert_num_queries, rows):
    # The observer sees every dialogue in which they observe a session.
    for _ in range(rows - 1):
        factories.SessionFactory().observers.add(world.observer)
    client = client_for(world.observer)

    # 1. count, 2. page (visibility as IN subqueries of the page's own query)
    with django_assert_num_queries(2):
        response = client.get("/api/v1/dialogues/")

    page_count(response, rows)


@pytest.mark.parametrize("rows", ROWS)
def test_party_list_runs_three_queries(world, client_for, django_assert_num_queries, rows):
    dialogue = factories.DialogueFactory()
    factories.SessionFactory(dialogue=dialogue).observers.add(world.observer)
    for _ in range(rows):
        factories.PartyFactory(dialogue=dialogue)
    client = client_for(world.observer)

    # 1. the dialogue (visible?), 2. count, 3. page
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/dialogues/{dialogue.pk}/parties/")

    page_count(response, rows)


@pytest.mark.parametrize("rows", ROWS)
def test_topic_list_runs_two_queries(db, client_for, django_assert_num_queries, rows):
    # Replace the seeded taxonomy with `rows` topics: one category node and risks under it.
    Topic.objects.filter(parent__isnull=False).delete()
    Topic.objects.all().delete()
    root = Topic.objects.create(
        code="root", name="Root", name_zh="根", category=TopicCategory.BENEFICIAL_USE
    )
    Topic.objects.bulk_create(
        Topic(
            code=f"risk-{n}",
            name=f"Risk {n}",
            name_zh=f"风险 {n}",
            category=TopicCategory.BENEFICIAL_USE,
            parent=root,
        )
        for n in range(rows - 1)
    )
    client = client_for(factories.UserFactory())

    # 1. count, 2. page
    with django_assert_num_queries(2):
        response = client.get("/api/v1/topics/")

    page_count(response, rows)


@pytest.mark.parametrize("rows", ROWS)
def test_session_list_runs_five_queries(world, client_for, django_assert_num_queries, rows):
    sessions = [world.session]
    for n in range(rows - 1):
        session = factories.SessionFactory(
            dialogue=world.session.dialogue,
            starts_at=world.session.starts_at + timedelta(days=n + 1),
        )
        session.observers.add(world.observer, factories.UserFactory())
        session.facilitators.add(world.facilitator)
        SessionLink.objects.create(session=session, earlier=sessions[-1])
        sessions.append(session)
    client = client_for(world.observer)

    # 1. count, 2. page with dialogues, 3. builds_on of the page, 4. facilitators of the
    # page, 5. observers of the page
    with django_assert_num_queries(5):
        response = client.get("/api/v1/sessions/")

    results = page_count(response, rows)
    assert all(world.observer.pk in s["observers"] for s in results)


@pytest.mark.parametrize("rows", ROWS)
def test_agenda_item_list_runs_three_queries(world, client_for, django_assert_num_queries, rows):
    for _ in range(rows - 1):
        factories.AgendaItemFactory(session=world.session)
    client = client_for(world.observer)

    # 1. the session (visible?), 2. count, 3. page with topics
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/sessions/{world.session.pk}/agenda-items/")

    page_count(response, rows)


@pytest.mark.parametrize("rows", ROWS)
def test_delegation_list_with_members_runs_four_queries(
    world, client_for, django_assert_num_queries, rows
):
    session = factories.SessionFactory()
    session.observers.add(world.observer)
    for _ in range(rows):
        delegation = factories.DelegationFactory(session=session)
        factories.DelegationMemberFactory(delegation=delegation, role="head")
        factories.DelegationMemberFactory(delegation=delegation)
    client = client_for(world.observer)

    # 1. the session (visible?), 2. count, 3. page with parties and sessions,
    # 4. members of the page with their users
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/sessions/{session.pk}/delegations/")

    results = page_count(response, rows)
    assert all(len(d["members"]) == 2 for d in results)


@pytest.mark.parametrize("rows", ROWS)
def test_expectation_list_runs_three_queries(world, client_for, django_assert_num_queries, rows):
    items = [world.item] + [
        factories.AgendaItemFactory(session=world.session) for _ in range(rows - 1)
    ]
    Expectation.objects.bulk_create(
        Expectation(
            delegation=world.delegation_a, agenda_item=item, outcome=Outcome.JOINT_STATEMENT
        )
        for item in items
    )
    client = client_for(world.member_b)

    # 1. the delegation (visible?), 2. its members (prefetched by the selector),
    # 3. the expectations
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/delegations/{world.delegation_a.pk}/expectations/")

    assert response.status_code == 200
    assert len(response.json()) == rows


def log_positions(world, rows):
    """`rows` positions of delegation A, each on its own agenda item, with two versions
    (the latest private to the delegation)."""
    for n in range(rows):
        item = world.item if n == 0 else factories.AgendaItemFactory(session=world.session)
        position = factories.PositionFactory(
            delegation=world.delegation_a, agenda_item=item, current_version=2
        )
        factories.PositionVersionFactory(
            position=position, number=1, visibility=Visibility.SESSION, author=world.member_a
        )
        factories.PositionVersionFactory(position=position, number=2, author=world.member_a)


@pytest.mark.parametrize("rows", ROWS)
@pytest.mark.parametrize("query", ["", "?session={session}"])
def test_position_list_runs_two_queries(world, client_for, django_assert_num_queries, rows, query):
    log_positions(world, rows)
    # A position of another session, which the filter leaves out and the member cannot see.
    factories.PositionVersionFactory(visibility=Visibility.PUBLIC)
    client = client_for(world.member_a)

    # 1. page with the count, delegations, parties and the latest visible version's id,
    # 2. the visible versions of the page
    with django_assert_num_queries(2):
        response = client.get("/api/v1/positions/" + query.format(session=world.session.pk))

    results = page_count(response, rows)
    assert {p["version"] for p in results} == {2}


@pytest.mark.parametrize("rows", ROWS)
def test_position_list_for_another_delegation_runs_two_queries(
    world, client_for, django_assert_num_queries, rows
):
    log_positions(world, rows)
    client = client_for(world.member_b)

    # 1. page with the count (the member of B sees version 1, shared with the session),
    # 2. the visible versions of the page
    with django_assert_num_queries(2):
        response = client.get(f"/api/v1/positions/?session={world.session.pk}")

    results = page_count(response, rows)
    assert {p["version"] for p in results} == {1}


@pytest.mark.parametrize("rows", ROWS)
def test_position_version_list_runs_three_queries(
    world, client_for, django_assert_num_queries, rows
):
    position = factories.PositionFactory(
        delegation=world.delegation_a, agenda_item=world.item, current_version=rows
    )
    for number in range(1, rows + 1):
        factories.PositionVersionFactory(position=position, number=number, author=world.member_a)
    client = client_for(world.member_a)

    # 1. the position (visible?), 2. count, 3. page with authors
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/positions/{position.pk}/versions/")

    results = page_count(response, rows)
    assert [v["version"] for v in results] == list(range(1, rows + 1))


@pytest.mark.parametrize("rows", ROWS)
def test_point_list_with_stances_runs_three_queries(
    world, client_for, django_assert_num_queries, rows
):
    for _ in range(rows):
        point = factories.PointFactory(
            session=world.session, agenda_item=world.item, recorded_by=world.facilitator
        )
        for delegation in (world.delegation_a, world.delegation_b):
            factories.StanceFactory(
                point=point, delegation=delegation, recorded_by=world.facilitator
            )
    client = client_for(world.observer)

    # 1. count, 2. page, 3. stances of the page with their delegations' parties
    with django_assert_num_queries(3):
        response = client.get("/api/v1/points/")

    results = page_count(response, rows)
    assert all(len(p["stances"]) == 2 for p in results)


@pytest.mark.parametrize("rows", ROWS)
def test_report_list_runs_three_queries(world, client_for, django_assert_num_queries, rows):
    # Both kinds, in every status, with content (which the list leaves out).
    kinds = ["post_session_report", "pre_session_brief"]
    statuses = ["ready", "pending", "running", "failed"]
    for n in range(rows):
        factories.ReportFactory(
            session=world.session,
            kind=kinds[n % 2],
            version=n // 2 + 1,
            status=statuses[n % len(statuses)],
        )
    factories.ReportFactory()  # of another session
    client = client_for(world.observer)

    # 1. the session (visible?), 2. count, 3. page with the session, content deferred
    # (visibility as IN subqueries of the count's and the page's own queries)
    with django_assert_num_queries(3):
        response = client.get(f"/api/v1/sessions/{world.session.pk}/reports/")

    results = page_count(response, rows)
    assert all("content" not in r for r in results)


@pytest.mark.parametrize("rows", ROWS)
def test_user_list_runs_two_queries(db, client_for, django_assert_num_queries, rows):
    admin = factories.AdminFactory()
    for _ in range(rows - 1):
        factories.UserFactory()
    client = client_for(admin)

    # 1. count, 2. page
    with django_assert_num_queries(2):
        response = client.get("/api/v1/users/")

    page_count(response, rows)


@pytest.mark.parametrize("rows", ROWS)
def test_audit_list_runs_two_queries(db, client_for, django_assert_num_queries, rows):
    admin = factories.AdminFactory()
    for n in range(rows):
        audit_record(actor=admin, action="test.event", obj=admin, after={"n": n})
    client = client_for(admin)

    # 1. count, 2. page
    with django_assert_num_queries(2):
        response = client.get("/api/v1/audit/")

    page_count(response, rows)


@pytest.mark.parametrize("rows", ROWS)
def test_consensus_figures_run_six_queries(world, client_for, django_assert_num_queries, rows):
    """`rows` delegations, agenda items and points, every delegation with a stance on
    every point and a differing expectation on every item."""
    session = world.session
    delegations = [world.delegation_a, world.delegation_b]
    delegations += [factories.DelegationFactory(session=session) for _ in range(rows - 2)]
    items = [world.item] + [factories.AgendaItemFactory(session=session) for _ in range(rows - 1)]
    points = Point.objects.bulk_create(
        Point(
            session=session,
            agenda_item=item,
            kind=Point.Kind.AGREEMENT,
            statement=f"Point {n}",
            status=Point.Status.CONFIRMED,
            recorded_by=world.facilitator,
        )
        for n, item in enumerate(items)
    )
    values = Stance.Value.values
    Stance.objects.bulk_create(
        Stance(
            point=point,
            delegation=delegation,
            stance=values[(i + j) % len(values)],
            recorded_by=world.facilitator,
        )
        for i, point in enumerate(points)
        for j, delegation in enumerate(delegations)
    )
    outcomes = Outcome.values
    Expectation.objects.bulk_create(
        Expectation(delegation=delegation, agenda_item=item, outcome=outcomes[j % len(outcomes)])
        for item in items
        for j, delegation in enumerate(delegations)
    )
    client = client_for(world.observer)

    # 1. the session (visible?), 2. its delegations, 3. its agenda items, 4. its points
    # with their stance counts, 5. the pairwise stance comparison, 6. the expectations on
    # the items where they differ
    with django_assert_num_queries(6):
        response = client.get(f"/api/v1/sessions/{session.pk}/consensus/")

    assert response.status_code == 200
    body = response.json()
    assert len(body["points"]) == rows
    assert len(body["delegations"]) == max(rows, 2)
    assert len(body["expectation_gap"]) == rows


@pytest.mark.parametrize("rows", ROWS)
def test_me_runs_three_queries(db, client_for, django_assert_num_queries, rows):
    person = factories.UserFactory()
    for n in range(rows):
        session = factories.SessionFactory()
        if n % 3 == 0:
            session.facilitators.add(person)
        elif n % 3 == 1:
            session.observers.add(person)
        else:
            factories.DelegationMemberFactory(
                delegation=factories.DelegationFactory(session=session), user=person
            )
    client = client_for(person)

    # 1. sessions facilitated, 2. sessions observed, 3. delegation memberships
    with django_assert_num_queries(3):
        response = client.get("/api/v1/me/")

    assert response.status_code == 200
    assert len(response.json()["sessions"]) == rows
