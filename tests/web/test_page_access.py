"""Who may open which page: the pages use the API's selectors and rules, so a person
outside the session gets 404 and a person who may not act gets 403."""

import pytest

from debates.models import Session

PAGES = {
    "session": "/sessions/{s}/",
    "agenda": "/sessions/{s}/agenda/",
    "transition": "/sessions/{s}/transition/",
    "points": "/sessions/{s}/points/",
    "position": "/sessions/{s}/items/{i}/position/",
    "expectations": "/delegations/{d}/expectations/",
}

# role -> page -> status, for a session whose agenda is published.
EXPECTED = {
    "admin": {
        "session": 200,
        "agenda": 200,
        "transition": 200,
        "points": 200,
        "position": 403,
        "expectations": 403,
    },
    "facilitator": {
        "session": 200,
        "agenda": 200,
        "transition": 200,
        "points": 200,
        "position": 403,
        "expectations": 403,
    },
    "head": {
        "session": 200,
        "agenda": 403,
        "transition": 403,
        "points": 403,
        "position": 200,
        "expectations": 200,
    },
    "member": {
        "session": 200,
        "agenda": 403,
        "transition": 403,
        "points": 403,
        "position": 200,
        "expectations": 403,
    },
    "other_member": {
        "session": 200,
        "agenda": 403,
        "transition": 403,
        "points": 403,
        "position": 200,
        "expectations": 403,
    },
    "observer": {
        "session": 200,
        "agenda": 403,
        "transition": 403,
        "points": 403,
        "position": 403,
        "expectations": 403,
    },
    "outsider": {
        "session": 404,
        "agenda": 404,
        "transition": 404,
        "points": 404,
        "position": 404,
        "expectations": 404,
    },
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", EXPECTED)
def test_each_role_opens_only_the_pages_its_rules_allow(make_world, client, role, page):
    world = make_world(status=Session.Status.AGENDA_PUBLISHED)
    client.force_login(world.roles()[role])
    url = PAGES[page].format(s=world.session.pk, i=world.item.pk, d=world.delegation_a.pk)

    assert client.get(url).status_code == EXPECTED[role][page]


@pytest.mark.parametrize("page", ["/", "/sessions/1/", "/reports/", "/inbox/"])
def test_pages_need_a_sign_in(client, db, page):
    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_member_logs_and_revises_a_position_from_the_page(make_world, client):
    world = make_world(status=Session.Status.AGENDA_PUBLISHED)
    client.force_login(world.member_a)
    url = f"/sessions/{world.session.pk}/items/{world.item.pk}/position/"

    first = client.post(url, {"text": "First text", "visibility": "delegation", "based_on": 0})
    second = client.post(url, {"text": "Second text", "visibility": "session", "based_on": 1})
    stale = client.post(url, {"text": "My late text", "visibility": "session", "based_on": 1})

    assert first.status_code == second.status_code == 302
    position = world.delegation_a.positions.get()
    assert list(position.versions.values_list("number", "text")) == [
        (1, "First text"),
        (2, "Second text"),
    ]
    # The stale revision is not saved and not lost: both texts are on the page.
    assert stale.status_code == 200
    body = stale.content.decode()
    assert "Second text" in body
    assert "My late text" in body
