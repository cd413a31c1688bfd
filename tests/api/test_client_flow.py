"""One session from set-up to published report, driven the way a third-party client
drives it: knowing only api.md, signing in with real tokens, reading ids from answers
and never building one."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from reports.services import report_build
from tests import factories

API = "/api/v1"
PASSWORD = "Delegation-pass-2031"


def signed_in(username: str, password: str) -> APIClient:
    """A client holding a token got from POST /auth/token/, sent as `Token <key>`."""
    answer = APIClient().post(
        f"{API}/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert set(answer.json()) == {"token"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {answer.json()['token']}")
    return client


def every_page(client: APIClient, url: str) -> list[dict]:
    """All results of a paginated list, following `next` as a client would."""
    results: list[dict] = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.content
        body = page.json()
        assert set(body) == {"count", "next", "previous", "results"}
        results.extend(body["results"])
        url = body["next"]
    return results


def ok(answer, code: int = 200) -> dict:
    assert answer.status_code == code, (answer.status_code, answer.content)
    return answer.json() if answer.content else {}


def refused(answer, code: int) -> dict:
    assert answer.status_code == code, (answer.status_code, answer.content)
    body = answer.json()
    assert body, "a refusal says why"
    return body


@pytest.mark.django_db
def test_third_party_client_runs_a_session_from_setup_to_published_report():
    admin_user = factories.AdminFactory(username="secretariat")
    admin_user.set_password(PASSWORD)
    admin_user.save()

    # Credentials: none, a wrong password, a bad token.
    refused(APIClient().get(f"{API}/me/"), 401)
    refused(
        APIClient().post(
            f"{API}/auth/token/", {"username": "secretariat", "password": "wrong"}, format="json"
        ),
        400,
    )
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    refused(forged.get(f"{API}/me/"), 401)

    admin = signed_in("secretariat", PASSWORD)
    assert ok(admin.get(f"{API}/me/"))["is_admin"] is True

    # People ---------------------------------------------------------------------------
    ids: dict[str, int] = {}
    for name in ("facilitator", "head_cn", "member_cn", "head_us", "member_us", "observer"):
        user = ok(
            admin.post(
                f"{API}/users/",
                {
                    "username": name,
                    "password": PASSWORD,
                    "email": f"{name}@example.org",
                    "display_name": name.replace("_", " ").title(),
                },
                format="json",
            ),
            201,
        )
        assert user["username"] == name
        assert "password" not in user
        ids[name] = user["id"]
    refused(
        admin.post(f"{API}/users/", {"username": "weak", "password": "123"}, format="json"),
        400,
    )
    people = {name: signed_in(name, PASSWORD) for name in ids}
    facilitator, observer = people["facilitator"], people["observer"]
    head_cn, head_us = people["head_cn"], people["head_us"]
    member_cn, member_us = people["member_cn"], people["member_us"]
    refused(
        facilitator.post(f"{API}/users/", {"username": "x", "password": PASSWORD}, format="json"),
        403,
    )

    # Dialogue, parties, session -----------------------------------------------------
    dialogue = ok(
        admin.post(
            f"{API}/dialogues/",
            {
                "title": "China-US dialogue on AI safety",
                "description": "Track II round",
                "languages": ["en", "zh-hans"],
                "default_rule": "on_record",
            },
            format="json",
        ),
        201,
    )
    refused(
        facilitator.post(f"{API}/dialogues/", {"title": "Not mine to make"}, format="json"), 403
    )
    parties = {
        code: ok(
            admin.post(
                f"{API}/dialogues/{dialogue['id']}/parties/",
                {"name": name, "code": code},
                format="json",
            ),
            201,
        )
        for code, name in (("CN", "China"), ("US", "United States"))
    }
    refused(
        admin.post(
            f"{API}/dialogues/{dialogue['id']}/parties/",
            {"name": "Duplicate", "code": "CN"},
            format="json",
        ),
        400,
    )

    starts = datetime(2031, 5, 4, 9, 0, tzinfo=UTC)
    session = ok(
        admin.post(
            f"{API}/sessions/",
            {
                "dialogue": dialogue["id"],
                "title": "Beijing round",
                "track": "track_2",
                "format": "bilateral",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=8)).isoformat(),
                "location": "Beijing",
                "facilitators": [ids["facilitator"]],
                "observers": [ids["observer"]],
            },
            format="json",
        ),
        201,
    )
    sid = session["id"]
    assert session["status"] == "draft"
    assert session["rule"] == "on_record"  # the dialogue's default
    assert session["facilitators"] == [ids["facilitator"]]
    assert session["observers"] == [ids["observer"]]

    # Delegations with members -------------------------------------------------------
    delegations = {}
    for code in ("CN", "US"):
        delegation = ok(
            admin.post(
                f"{API}/sessions/{sid}/delegations/",
                {"party": parties[code]["id"]},
                format="json",
            ),
            201,
        )
        for role, name in (("head", f"head_{code.lower()}"), ("member", f"member_{code.lower()}")):
            member = ok(
                admin.post(
                    f"{API}/delegations/{delegation['id']}/members/",
                    {"user": ids[name], "role": role},
                    format="json",
                ),
                201,
            )
            assert (member["user"], member["role"]) == (ids[name], role)
        delegations[code] = delegation["id"]
    refused(
        admin.post(
            f"{API}/delegations/{delegations['US']}/members/",
            {"user": ids["member_cn"], "role": "member"},
            format="json",
        ),
        400,  # one person, one delegation per session
    )
    refused(
        facilitator.post(
            f"{API}/delegations/{delegations['US']}/members/",
            {"user": ids["observer"]},
            format="json",
        ),
        403,
    )
    listed = every_page(observer, f"{API}/sessions/{sid}/delegations/")
    assert {d["party_code"]: sorted(m["role"] for m in d["members"]) for d in listed} == {
        "CN": ["head", "member"],
        "US": ["head", "member"],
    }
    me = ok(head_cn.get(f"{API}/me/"))
    assert me["sessions"] == [{"session": sid, "roles": ["head"]}]

    # The agenda, from the taxonomy ---------------------------------------------------
    topics = {t["code"]: t for t in every_page(member_cn, f"{API}/topics/")}
    assert topics["malicious-use"]["name_zh"]
    items = []
    for order, code in enumerate(("malicious-use", "militarization"), start=1):
        item = ok(
            facilitator.post(
                f"{API}/sessions/{sid}/agenda-items/",
                {
                    "topic": topics[code]["id"],
                    "title": topics[code]["name"],
                    "objective": "Name where we agree.",
                    "urgency": 4,
                    "order": order,
                    "minutes": 45,
                },
                format="json",
            ),
            201,
        )
        assert item["topic_code"] == code
        items.append(item["id"])
    refused(
        head_cn.post(
            f"{API}/sessions/{sid}/agenda-items/",
            {"topic": topics["algorithmic-bias"]["id"]},
            format="json",
        ),
        403,
    )

    # Moving the session: only the next step, only by a facilitator.
    transition = f"{API}/sessions/{sid}/transition/"
    assert (
        "in_progress" in refused(facilitator.post(transition, {"to": "in_progress"}), 409)["detail"]
    )
    refused(observer.post(transition, {"to": "agenda_published"}), 403)

    # Expectations, by each head: they differ on the first item.
    expectations = {
        "CN": [
            {"agenda_item": items[0], "outcome": "joint_statement", "importance": 5},
            {"agenda_item": items[1], "outcome": "exchange_views", "importance": 2},
        ],
        "US": [
            {"agenda_item": items[0], "outcome": "exchange_views", "importance": 4},
            {"agenda_item": items[1], "outcome": "exchange_views", "importance": 3},
        ],
    }
    for code, head in (("CN", head_cn), ("US", head_us)):
        url = f"{API}/delegations/{delegations[code]}/expectations/"
        assert ok(head.put(url, expectations[code], format="json")) == expectations[code]
    refused(
        member_cn.put(f"{API}/delegations/{delegations['CN']}/expectations/", [], format="json"),
        403,
    )
    refused(
        head_cn.put(f"{API}/delegations/{delegations['US']}/expectations/", [], format="json"),
        403,
    )
    assert (
        ok(observer.get(f"{API}/delegations/{delegations['US']}/expectations/"))
        == (expectations["US"])
    )

    # Positions open once the agenda is published; the agenda closes.
    refused(
        member_cn.post(
            f"{API}/positions/",
            {"delegation": delegations["CN"], "agenda_item": items[0], "text": "Too early"},
            format="json",
        ),
        409,
    )
    assert ok(facilitator.post(transition, {"to": "agenda_published"}))["status"] == (
        "agenda_published"
    )
    refused(
        facilitator.post(
            f"{API}/sessions/{sid}/agenda-items/",
            {"topic": topics["algorithmic-bias"]["id"]},
            format="json",
        ),
        409,
    )

    positions = {}
    for code, member in (("CN", member_cn), ("US", member_us)):
        answer = member.post(
            f"{API}/positions/",
            {
                "delegation": delegations[code],
                "agenda_item": items[0],
                "text": f"{code}: states should curb non-state misuse.",
                "summary": "Curb misuse",
                "red_lines": "No binding inspections.",
                "visibility": "session",
            },
            format="json",
        )
        body = ok(answer, 201)
        assert answer["ETag"] == '"1"'
        assert body["version"] == 1
        assert body["party"] == code
        positions[code] = body["id"]
    refused(
        member_us.post(
            f"{API}/positions/",
            {"delegation": delegations["CN"], "agenda_item": items[1], "text": "For them"},
            format="json",
        ),
        403,
    )
    refused(
        observer.post(
            f"{API}/positions/",
            {"delegation": delegations["CN"], "agenda_item": items[1], "text": "Watching"},
            format="json",
        ),
        403,
    )

    # Revising: If-Match required, then the current ETag wins a new version.
    position_url = f"{API}/positions/{positions['CN']}/"
    refused(member_cn.patch(position_url, {"text": "No precondition"}, format="json"), 428)
    fetched = member_cn.get(position_url)
    etag = fetched["ETag"]
    assert etag == '"1"'
    revised = member_cn.patch(
        position_url,
        {"text": "CN: curb misuse through shared incident reporting."},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert ok(revised)["version"] == 2
    assert revised["ETag"] == '"2"'
    assert revised.json()["red_lines"] == "No binding inspections."  # carried over
    stale = refused(
        head_cn.patch(position_url, {"text": "Lost update"}, format="json", HTTP_IF_MATCH=etag),
        412,
    )
    assert stale["current_version"] == 2
    versions = every_page(head_us, f"{position_url}versions/")
    assert [v["version"] for v in versions] == [1, 2]
    refused(
        member_us.patch(position_url, {"text": "Not ours"}, format="json", HTTP_IF_MATCH='"2"'),
        403,
    )
    seen_by_us = every_page(member_us, f"{API}/positions/?session={sid}&agenda_item={items[0]}")
    assert {(p["party"], p["version"]) for p in seen_by_us} == {("CN", 2), ("US", 1)}

    # Points and stances while the session runs ----------------------------------------
    point_body = {
        "session": sid,
        "agenda_item": items[0],
        "kind": "agreement",
        "statement": "Both sides will share incident reports on misuse.",
        "status": "confirmed",
    }
    refused(facilitator.post(f"{API}/points/", point_body, format="json"), 409)
    assert ok(facilitator.post(transition, {"to": "in_progress"}))["status"] == "in_progress"
    refused(head_cn.post(f"{API}/points/", point_body, format="json"), 403)
    agreed = ok(facilitator.post(f"{API}/points/", point_body, format="json"), 201)
    assert agreed["carry_status"] == "new"
    divergent = ok(
        facilitator.post(
            f"{API}/points/",
            {
                **point_body,
                "kind": "divergence",
                "statement": "Whether inspections should be binding.",
            },
            format="json",
        ),
        201,
    )

    def stance(client, point, code, value):
        return client.put(
            f"{API}/points/{point['id']}/stances/{delegations[code]}/",
            {"stance": value, "note": f"{code} on record"},
            format="json",
        )

    assert ok(stance(facilitator, agreed, "CN", "agree"))["stance"] == "agree"
    assert ok(stance(head_us, agreed, "US", "agree"))["party"] == "US"
    assert ok(stance(head_cn, divergent, "CN", "disagree"))["stance"] == "disagree"
    assert ok(stance(facilitator, divergent, "US", "agree"))["stance"] == "agree"
    refused(stance(head_us, divergent, "CN", "agree"), 403)  # not their delegation
    refused(stance(member_us, divergent, "US", "reserve"), 403)  # not the head
    refused(stance(observer, agreed, "US", "abstain"), 403)

    # Concluded: positions close; heads' stances close; the facilitator may still record.
    assert ok(facilitator.post(transition, {"to": "concluded"}))["status"] == "concluded"
    refused(
        member_cn.patch(position_url, {"text": "Too late"}, format="json", HTTP_IF_MATCH='"2"'),
        409,
    )
    refused(stance(head_us, divergent, "US", "reserve"), 409)
    assert ok(stance(facilitator, divergent, "US", "agree"))["note"] == "US on record"

    # Concluding asked for the post-session report; until it is built, publishing waits.
    reports = ok(facilitator.get(f"{API}/sessions/{sid}/reports/"))["results"]
    post_report = next(r for r in reports if r["kind"] == "post_session_report")
    assert post_report["status"] == "pending"
    assert (
        "no post-session report is ready"
        in refused(facilitator.post(transition, {"to": "report_published"}), 409)["detail"]
    )
    # No worker consumes the suite's broker: build it as the worker would.
    assert report_build(report_id=post_report["id"]) == "ready"
    assert ok(facilitator.get(f"{API}/reports/{post_report['id']}/"))["status"] == "ready"

    assert ok(facilitator.post(transition, {"to": "report_published"}))["status"] == (
        "report_published"
    )
    assert (
        "final" in refused(facilitator.post(transition, {"to": "report_published"}), 409)["detail"]
    )
    refused(stance(facilitator, agreed, "US", "disagree"), 409)
    refused(facilitator.post(f"{API}/points/", point_body, format="json"), 409)

    # Consensus figures -----------------------------------------------------------------
    figures = ok(observer.get(f"{API}/sessions/{sid}/consensus/"))
    by_point = {p["point"]: p for p in figures["points"]}
    assert (by_point[agreed["id"]]["level"], by_point[agreed["id"]]["class"]) == (1.0, "consensus")
    assert (by_point[divergent["id"]]["level"], by_point[divergent["id"]]["class"]) == (
        0.5,
        "divergent",
    )
    by_item = {i["agenda_item"]: i for i in figures["agenda_items"]}
    assert by_item[items[0]]["level"] == 0.75
    assert by_item[items[1]]["level"] is None
    assert figures["level"] == 0.75
    assert [(a["codes"], a["alignment"]) for a in figures["alignment"]] == [(["CN", "US"], 0.5)]
    assert [g["agenda_item"] for g in figures["expectation_gap"]] == [items[0]]
    assert figures["rule"]

    # The audit trail: every write above, in one unbroken chain --------------------------
    refused(facilitator.get(f"{API}/audit/"), 403)
    refused(facilitator.get(f"{API}/audit/verify/"), 403)
    events = every_page(admin, f"{API}/audit/")
    actions = [e["action"] for e in events]
    assert actions.count("user.create") == 6
    assert actions.count("session.transition") == 4
    assert actions.count("position.revise") == 1
    assert actions.count("stance.set") == 5
    transitions = every_page(admin, f"{API}/audit/?action=session.transition&session={sid}")
    assert [(e["before"]["status"], e["after"]["status"]) for e in transitions] == [
        ("draft", "agenda_published"),
        ("agenda_published", "in_progress"),
        ("in_progress", "concluded"),
        ("concluded", "report_published"),
    ]
    assert {e["actor_username"] for e in transitions} == {"facilitator"}
    verdict = ok(admin.get(f"{API}/audit/verify/"))
    assert verdict == {"ok": True, "checked": len(events), "unsealed": 0}
