"""Bad input answers as api.md's status table says: 400 with `{"field": ["message"]}` or
`{"detail": "..."}`, 412 for an If-Match naming no version, 413 for a body over the
limit, 429 when throttled; always JSON, never a 500 or a stack trace. And the token
sign-in, for real."""

import json
from datetime import timedelta

import pytest

from debates.models import Session, Visibility
from tests import factories

API = "/api/v1"


def error_body(response, status):
    """The JSON body of an error answer, after checking it is one."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    assert b"Traceback" not in response.content
    return response.json()


def field_errors(response, *fields):
    """A 400's messages, checked to be `{"field": ["message", ...]}` for every field."""
    body = error_body(response, 400)
    assert isinstance(body, dict)
    assert set(fields) <= set(body), body
    for messages in body.values():
        assert isinstance(messages, list)
        assert messages
        assert all(isinstance(m, str) and m for m in messages)
    return body


def detail(response, status):
    body = error_body(response, status)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body["detail"]


def session_body(world, **changes):
    starts = world.session.starts_at + timedelta(days=30)
    return {
        "dialogue": world.session.dialogue_id,
        "title": "Follow-up",
        "track": "track_2",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=8)).isoformat(),
        **changes,
    }


# Wrong types ------------------------------------------------------------------------


def test_a_list_for_a_string_is_a_field_error(world, client_for):
    response = client_for(world.admin).post(f"{API}/dialogues/", {"title": ["Dialogue"]})

    assert field_errors(response, "title")["title"] == ["Not a valid string."]


def test_a_string_for_a_list_is_a_field_error(world, client_for):
    response = client_for(world.admin).post(
        f"{API}/dialogues/", {"title": "Dialogue", "languages": "en"}
    )

    field_errors(response, "languages")


def test_a_bad_item_of_a_list_field_is_reported_on_the_field(world, client_for):
    response = client_for(world.admin).post(
        f"{API}/dialogues/", {"title": "Dialogue", "languages": ["en", {"code": "fr"}]}
    )

    assert field_errors(response, "languages") == {"languages": ["Item 1: Not a valid string."]}


def test_a_string_for_an_integer_is_a_field_error(world, client_for):
    response = client_for(world.facilitator).post(
        f"{API}/sessions/{world.session.pk}/agenda-items/",
        {"topic": world.item.topic_id, "urgency": "high"},
    )

    assert field_errors(response, "urgency")["urgency"] == ["A valid integer is required."]


def test_a_string_for_an_id_is_a_field_error(world, client_for):
    response = client_for(world.admin).post(
        f"{API}/sessions/", session_body(world, dialogue="first")
    )

    field_errors(response, "dialogue")


def test_an_integer_past_the_column_is_a_field_error(world, client_for):
    response = client_for(world.facilitator).post(
        f"{API}/sessions/{world.session.pk}/agenda-items/",
        {"topic": world.item.topic_id, "order": 2**40},
    )

    field_errors(response, "order")


def test_a_time_that_is_not_a_time_is_a_field_error(world, client_for):
    response = client_for(world.admin).post(
        f"{API}/sessions/", session_body(world, starts_at="next tuesday")
    )

    field_errors(response, "starts_at")


def test_an_audit_filter_time_offset_postgresql_refuses_is_still_answered(world, client_for):
    # +20:18 is valid ISO 8601 but past PostgreSQL's ±15:59: it is converted, not sent.
    response = client_for(world.admin).get(f"{API}/audit/", {"after": "2030-02-16T05:09:27+20:18"})

    assert response.status_code == 200


def test_an_expectation_item_of_the_wrong_type_is_a_field_error(world, client_for):
    response = client_for(world.head_a).put(
        f"{API}/delegations/{world.delegation_a.pk}/expectations/",
        [{"agenda_item": world.item.pk, "outcome": "joint_statement", "importance": "very"}],
    )

    assert field_errors(response, "importance") == {
        "importance": ["Item 0: A valid integer is required."]
    }


def test_expectations_sent_as_an_object_are_a_field_error(world, client_for):
    response = client_for(world.head_a).put(
        f"{API}/delegations/{world.delegation_a.pk}/expectations/",
        {"agenda_item": world.item.pk, "outcome": "joint_statement"},
    )

    field_errors(response, "non_field_errors")


# Unknown enum values ------------------------------------------------------------------


@pytest.mark.parametrize("field", ["track", "rule", "format"])
def test_an_unknown_session_choice_is_a_field_error(world, client_for, field):
    response = client_for(world.admin).post(
        f"{API}/sessions/", session_body(world, **{field: "track_9"})
    )

    assert field_errors(response, field)[field] == ['"track_9" is not a valid choice.']


def test_an_unknown_default_rule_is_a_field_error(world, client_for):
    response = client_for(world.admin).patch(
        f"{API}/dialogues/{world.session.dialogue_id}/", {"default_rule": "secret"}
    )

    field_errors(response, "default_rule")


def test_an_unknown_visibility_is_a_field_error(make_world, client_for):
    world = make_world(status=Session.Status.AGENDA_PUBLISHED)

    response = client_for(world.member_a).post(
        f"{API}/positions/",
        {
            "delegation": world.delegation_a.pk,
            "agenda_item": world.item.pk,
            "text": "We support a joint testing regime.",
            "visibility": "everyone",
        },
    )

    field_errors(response, "visibility")


def test_an_unknown_point_kind_is_a_field_error(world, client_for):
    response = client_for(world.facilitator).post(
        f"{API}/points/",
        {
            "session": world.session.pk,
            "agenda_item": world.item.pk,
            "kind": "consensus",
            "statement": "Both sides favour incident reporting.",
        },
    )

    field_errors(response, "kind")


def test_an_unknown_stance_is_a_field_error(world, client_for):
    point = factories.PointFactory(session=world.session, agenda_item=world.item)

    response = client_for(world.facilitator).put(
        f"{API}/points/{point.pk}/stances/{world.delegation_a.pk}/", {"stance": "maybe"}
    )

    field_errors(response, "stance")


def test_an_unknown_expected_outcome_is_a_field_error(world, client_for):
    response = client_for(world.head_a).put(
        f"{API}/delegations/{world.delegation_a.pk}/expectations/",
        [{"agenda_item": world.item.pk, "outcome": "treaty"}],
    )

    assert field_errors(response, "outcome") == {
        "outcome": ['Item 0: "treaty" is not a valid choice.']
    }


def test_an_unknown_transition_target_is_a_field_error(world, client_for):
    response = client_for(world.facilitator).post(
        f"{API}/sessions/{world.session.pk}/transition/", {"to": "finished"}
    )

    field_errors(response, "to")


# Malformed and missing ------------------------------------------------------------------


@pytest.mark.parametrize("raw", [b'{"title": ', b"\xff\xfe not json", b"[1, 2,]"])
def test_malformed_json_is_a_400_with_a_detail(world, client_for, raw):
    response = client_for(world.admin).post(
        f"{API}/dialogues/", data=raw, content_type="application/json"
    )

    assert detail(response, 400).startswith("JSON parse error")


def test_a_session_without_its_required_fields_names_each(world, client_for):
    response = client_for(world.admin).post(f"{API}/sessions/", {})

    field_errors(response, "dialogue", "title", "track", "starts_at", "ends_at")


def test_a_person_without_username_and_password_names_both(world, client_for):
    response = client_for(world.admin).post(f"{API}/users/", {"email": "a@example.org"})

    field_errors(response, "username", "password")


def test_a_position_without_text_is_a_field_error(make_world, client_for):
    world = make_world(status=Session.Status.AGENDA_PUBLISHED)

    response = client_for(world.member_a).post(
        f"{API}/positions/", {"delegation": world.delegation_a.pk, "agenda_item": world.item.pk}
    )

    field_errors(response, "text")


# Ids that do not exist, or belong elsewhere ------------------------------------------------


def test_an_unknown_dialogue_id_is_a_field_error(world, client_for):
    response = client_for(world.admin).post(
        f"{API}/sessions/", session_body(world, dialogue=999_999_999)
    )

    assert field_errors(response, "dialogue")["dialogue"] == [
        'Invalid pk "999999999" - object does not exist.'
    ]


def test_an_unknown_party_id_is_a_field_error(world, client_for):
    response = client_for(world.admin).post(
        f"{API}/sessions/{world.session.pk}/delegations/", {"party": 999_999_999}
    )

    field_errors(response, "party")


def test_an_unknown_agenda_item_of_a_position_is_a_field_error(make_world, client_for):
    world = make_world(status=Session.Status.AGENDA_PUBLISHED)

    response = client_for(world.member_a).post(
        f"{API}/positions/",
        {"delegation": world.delegation_a.pk, "agenda_item": 999_999_999, "text": "Yes."},
    )

    field_errors(response, "agenda_item")


def test_an_unknown_id_in_the_path_is_a_404_with_a_detail(world, client_for):
    response = client_for(world.admin).get(f"{API}/sessions/999999999/")

    detail(response, 404)


def test_a_party_of_another_dialogue_cannot_form_a_delegation(world, client_for):
    stranger = factories.PartyFactory()

    response = client_for(world.admin).post(
        f"{API}/sessions/{world.session.pk}/delegations/", {"party": stranger.pk}
    )

    assert field_errors(response, "party")["party"] == ["This party belongs to another dialogue."]


def test_a_new_session_cannot_build_on_a_session_of_another_dialogue(world, client_for):
    elsewhere = factories.SessionFactory(starts_at=world.session.starts_at)

    response = client_for(world.admin).post(
        f"{API}/sessions/", session_body(world, builds_on=[elsewhere.pk])
    )

    assert "another dialogue" in field_errors(response, "builds_on")["builds_on"][0]
    assert not Session.objects.filter(title="Follow-up").exists()


def test_a_new_session_cannot_build_on_a_later_session(world, client_for):
    later = factories.SessionFactory(
        dialogue=world.session.dialogue, starts_at=world.session.starts_at + timedelta(days=90)
    )

    response = client_for(world.admin).post(
        f"{API}/sessions/", session_body(world, builds_on=[later.pk])
    )

    assert "earlier sessions" in field_errors(response, "builds_on")["builds_on"][0]


def test_a_session_cannot_be_changed_to_build_on_a_later_session(world, client_for):
    later = factories.SessionFactory(
        dialogue=world.session.dialogue, starts_at=world.session.starts_at + timedelta(days=1)
    )

    response = client_for(world.admin).patch(
        f"{API}/sessions/{world.session.pk}/", {"builds_on": [later.pk]}
    )

    field_errors(response, "builds_on")
    assert not world.session.builds_on.exists()


def test_a_session_cannot_build_on_itself(world, client_for):
    response = client_for(world.admin).patch(
        f"{API}/sessions/{world.session.pk}/", {"builds_on": [world.session.pk]}
    )

    field_errors(response, "builds_on")


# Versions, size and rate ------------------------------------------------------------------


def test_an_if_match_naming_no_version_is_a_412(make_world, client_for):
    world = make_world(status=Session.Status.AGENDA_PUBLISHED)
    position = factories.PositionFactory(delegation=world.delegation_a, agenda_item=world.item)
    factories.PositionVersionFactory(
        position=position, author=world.member_a, visibility=Visibility.DELEGATION
    )

    response = client_for(world.member_a).patch(
        f"{API}/positions/{position.pk}/", {"text": "Revised."}, HTTP_IF_MATCH='"abc"'
    )

    body = error_body(response, 412)
    assert isinstance(body["detail"], str)
    assert body["current_version"] == 1
    assert position.versions.count() == 1


def test_a_body_over_the_limit_is_a_413(world, client_for, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"title": "x" * 2000})

    response = client_for(world.admin).post(
        f"{API}/dialogues/", data=body, content_type="application/json"
    )

    assert "1000 bytes" in detail(response, 413)


def test_a_body_under_the_limit_is_read(world, client_for, settings):
    settings.API_MAX_BODY_BYTES = 1000

    response = client_for(world.admin).post(f"{API}/dialogues/", {"title": "x" * 100})

    assert response.status_code == 201


@pytest.fixture
def throttled(settings):
    # Counters on the real Redis cache, in this test's own key prefix (tests/conftest.py).
    settings.API_THROTTLE_RATES = {"signin": "3/minute", "writes": "5/minute"}


def test_the_fourth_sign_in_within_a_minute_is_a_429(world, client_for, throttled):
    client = client_for(None)
    credentials = {"username": world.member_a.username, "password": "pw"}

    answers = [client.post(f"{API}/auth/token/", credentials) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert "throttled" in detail(answers[3], 429).lower()
    # The window opened with the first attempt: what is left of its minute.
    assert 0 < int(answers[3]["Retry-After"]) <= 60


def test_the_sixth_write_within_a_minute_is_a_429_and_reads_go_on(world, client_for, throttled):
    client = client_for(world.admin)

    writes = [client.post(f"{API}/dialogues/", {"title": f"Dialogue {n}"}) for n in range(6)]
    reads = [client.get(f"{API}/dialogues/") for _ in range(10)]

    assert [w.status_code for w in writes[:5]] == [201] * 5
    detail(writes[5], 429)
    assert {r.status_code for r in reads} == {200}


def test_concurrent_sign_in_attempts_are_all_counted(world, throttled):
    # Eight sign-in attempts at once from one address against a limit of three: each
    # is counted (one atomic increment), so exactly three get through.
    import threading

    from django.db import connection
    from rest_framework.test import APIClient

    credentials = {"username": world.member_a.username, "password": "wrong"}
    codes = []

    def attempt():
        try:
            codes.append(APIClient().post(f"{API}/auth/token/", credentials).status_code)
        finally:
            connection.close()  # each thread opened its own

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(codes).count(429) == 5


def test_writes_are_counted_per_person(world, client_for, throttled):
    for n in range(6):
        client_for(world.admin).post(f"{API}/dialogues/", {"title": f"Dialogue {n}"})

    other_admin = factories.AdminFactory()
    response = client_for(other_admin).post(f"{API}/dialogues/", {"title": "Mine"})

    assert response.status_code == 201


# Sign-in ------------------------------------------------------------------------------------


def test_good_credentials_get_a_token_that_signs_in(world, client_for):
    client = client_for(None)

    response = client.post(
        f"{API}/auth/token/", {"username": world.member_a.username, "password": "pw"}
    )

    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token"}
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get(f"{API}/me/")
    assert me.status_code == 200
    assert me.json()["username"] == world.member_a.username


def test_a_wrong_password_is_a_400_without_a_token(world, client_for):
    response = client_for(None).post(
        f"{API}/auth/token/", {"username": world.member_a.username, "password": "wrong"}
    )

    body = field_errors(response, "non_field_errors")
    assert "token" not in body


def test_a_sign_in_without_credentials_names_both_fields(db, client_for):
    response = client_for(None).post(f"{API}/auth/token/", {})

    field_errors(response, "username", "password")


def test_me_without_credentials_is_a_401(db, client_for):
    response = client_for(None).get(f"{API}/me/")

    detail(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_me_with_a_made_up_token_is_a_401(db, client_for):
    client = client_for(None)
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    detail(client.get(f"{API}/me/"), 401)


def test_an_api_path_that_matches_no_route_answers_json_404(world, client_for):
    response = client_for(world.admin).get(f"{API}/sessions/not-a-number/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
