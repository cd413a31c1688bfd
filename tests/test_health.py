import socket

import pytest


@pytest.mark.django_db
def test_healthz_answers_503_when_no_worker_answers(client, settings):
    # The suite's Redis database has no worker consuming it (tests/workers start their
    # own, on private brokers, and check the 200).
    settings.HEALTHZ_WORKER_TIMEOUT = 0.3

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "broker": "ok",
        "worker": "down: no worker answered",
    }


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"].startswith("down")
    assert body["worker"] == "unknown: no broker"


def test_healthz_needs_no_sign_in_and_refuses_writes(client, db):
    assert client.post("/healthz").status_code == 405
