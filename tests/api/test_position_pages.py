"""Pages of GET /api/v1/positions/ (api.md: `count`, `next`, `previous`, `results`).
The list reads its total with the page (a window count, not a COUNT query first): the
pages, their links, the total and the refusals must be those of every other list."""

import pytest

from debates.models import Position, Visibility
from tests import factories

SIZE = 3


def log_positions(world, shared: int, private: int) -> list[Position]:
    """Positions of delegation A, each on its own agenda item: `shared` with a
    session-visible version, `private` with delegation-only ones."""
    positions = []
    for n in range(shared + private):
        item = world.item if n == 0 else factories.AgendaItemFactory(session=world.session)
        position = factories.PositionFactory(delegation=world.delegation_a, agenda_item=item)
        factories.PositionVersionFactory(
            position=position,
            number=1,
            author=world.member_a,
            visibility=Visibility.SESSION if n < shared else Visibility.DELEGATION,
        )
        positions.append(position)
    return positions


def api_order(positions) -> list[int]:
    ids = [p.pk for p in positions]
    return list(
        Position.objects.filter(pk__in=ids)
        .order_by("delegation__session_id", "agenda_item__order", "delegation__party__code", "id")
        .values_list("pk", flat=True)
    )


def get(client, world, **params):
    query = "&".join(f"{k}={v}" for k, v in {"session": world.session.pk, **params}.items())
    return client.get(f"/api/v1/positions/?{query}")


def test_pages_carry_the_total_the_links_and_every_position_once_in_order(world, client_for):
    positions = log_positions(world, shared=7, private=0)
    client = client_for(world.member_a)

    bodies = [get(client, world, page_size=SIZE, page=n).json() for n in (1, 2, 3)]

    assert [b["count"] for b in bodies] == [7, 7, 7]
    assert [len(b["results"]) for b in bodies] == [3, 3, 1]
    assert [r["id"] for b in bodies for r in b["results"]] == api_order(positions)
    assert bodies[0]["previous"] is None and "page=2" in bodies[0]["next"]
    assert "page=" not in bodies[1]["previous"]  # the first page, as DRF links it
    assert "page=3" in bodies[1]["next"]
    assert bodies[2]["next"] is None and "page=2" in bodies[2]["previous"]


def test_the_last_page_may_be_asked_for_by_name(world, client_for):
    positions = log_positions(world, shared=7, private=0)

    body = get(client_for(world.member_a), world, page_size=SIZE, page="last").json()

    assert body["count"] == 7
    assert [r["id"] for r in body["results"]] == api_order(positions)[6:]


@pytest.mark.parametrize("page", ["4", "0", "-1", "two"])
def test_a_page_past_the_end_or_not_a_page_is_404(world, client_for, page):
    log_positions(world, shared=7, private=0)

    answer = get(client_for(world.member_a), world, page_size=SIZE, page=page)

    assert answer.status_code == 404
    assert answer.json()["detail"] == "Invalid page."


def test_an_empty_list_has_a_first_page_and_no_second(world, client_for):
    log_positions(world, shared=0, private=2)  # nothing the other delegation may read
    client = client_for(world.member_b)

    first = get(client, world, page_size=SIZE)
    second = get(client, world, page_size=SIZE, page=2)

    assert first.status_code == 200
    assert first.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert second.status_code == 404


def test_the_total_counts_only_what_the_reader_may_read(world, client_for):
    log_positions(world, shared=4, private=5)

    own = get(client_for(world.member_a), world, page_size=SIZE).json()
    other = get(client_for(world.member_b), world, page_size=SIZE).json()
    outsider = get(client_for(world.outsider), world, page_size=SIZE).json()

    assert (own["count"], other["count"], outsider["count"]) == (9, 4, 0)
    assert len(other["results"]) == SIZE
