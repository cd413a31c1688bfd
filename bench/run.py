"""`make bench`: Trackbridge's speed and memory at scale, as ratios of two measurements
taken in the same run on the same database (the machines are shared and noisy).

It starts what it needs and stops it at the end: a private redis-server on a free port,
a fresh benchmark database (created, migrated, filled by `generate_scale`), gunicorn
with BENCH_WORKERS sync workers on a free port (bench.settings with BENCH=1, which adds
the bench-only baseline views of bench/views.py), and, for the fan-out, two Celery
workers (-Q celery,reports). It prints a table and writes bench/results.json.

Environment: BENCH_SCALE (default 1: full size; 0.1 shrinks it), BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/trackbridge_bench: dropped and created
afresh), BENCH_WORKERS (gunicorn workers, default 2 x CPUs), BENCH_CLIENTS (concurrent
writers, default = workers), BENCH_SECONDS (seconds per write round, default 5)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LOGS = PROJECT / "bench" / "logs"
RESULTS = PROJECT / "bench" / "results.json"
SCALE = float(os.environ.get("BENCH_SCALE", "1") or 1)
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/trackbridge_bench"
)
CPUS = os.cpu_count() or 1
WORKERS = int(os.environ.get("BENCH_WORKERS", 2 * CPUS))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", WORKERS))
WRITE_SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
WRITE_ROUNDS = 4
LIST_REQUESTS = 31
SEED = 1


def say(message: str) -> None:
    print(f"[bench {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


STARTED = time.monotonic()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, what: str, timeout: float = 60.0, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


# Processes ----------------------------------------------------------------------------


class Process:
    """A subprocess in its own process group, logged to bench/logs/<name>.log."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.log = LOGS / f"{name}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(  # noqa: S603 (fixed arguments)
                args,
                cwd=PROJECT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if not self.alive():
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


RUNNING: list[Process] = []


def start(name: str, args: list[str], env: dict[str, str]) -> Process:
    process = Process(name, args, env)
    RUNNING.append(process)
    return process


def stop_all() -> None:
    for process in reversed(RUNNING):
        process.stop()
    RUNNING.clear()


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# Set-up -------------------------------------------------------------------------------


def fresh_database() -> None:
    url = urlparse(DATABASE_URL)
    name = url.path.lstrip("/")
    import psycopg

    admin = url._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, check=True
    )


# HTTP ---------------------------------------------------------------------------------


class Client:
    """One connection per request (gunicorn's sync workers close them anyway)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            data = json.dumps(body).encode() if body is not None else None
            all_headers = {"Content-Type": "application/json", **(headers or {})}
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            payload = response.read()
            return response.status, dict(response.getheaders()), payload
        finally:
            conn.close()


def concurrent_rate(jobs: list, seconds: float) -> tuple[float, int, int]:
    """Run each job (a callable doing one revision, returning True on success) in its
    own thread for `seconds`; revisions per second, successes and failures."""
    stop = threading.Event()
    counts = [[0, 0] for _ in jobs]

    def loop(index: int, job) -> None:
        while not stop.is_set():
            if job():
                counts[index][0] += 1
            else:
                counts[index][1] += 1

    threads = [threading.Thread(target=loop, args=(i, j)) for i, j in enumerate(jobs)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ok = sum(c[0] for c in counts)
    return ok / elapsed, ok, sum(c[1] for c in counts)


# The measurements ---------------------------------------------------------------------


class Figures:
    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.details: dict[str, dict] = {}

    def add(self, name: str, value, unit: str, goal: str, met, **details) -> None:
        self.rows.append({"name": name, "value": value, "unit": unit, "goal": goal, "met": met})
        if details:
            self.details[name] = details
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        say(f"{name} = {shown} {unit} (goal {goal}: {'met' if met else 'MISSED'}) {details}")


def measure_writes(port: int, scene: dict, figures: Figures) -> None:
    """Each client is the head of one delegation and revises its positions in turn (one
    agenda item after the other, as a delegation does between rounds), through the API
    and through the bare view alike."""
    from debates.models import Position

    client = Client(port)
    writers = scene["writers"][:CLIENTS]
    state = dict(
        Position.objects.filter(pk__in=[pk for w in writers for pk in w["positions"]]).values_list(
            "pk", "current_version"
        )
    )
    lock = threading.Lock()

    def next_position(writer) -> int:
        writer["turn"] = (writer.get("turn", -1) + 1) % len(writer["positions"])
        return writer["positions"][writer["turn"]]

    def api_job(writer):
        def job() -> bool:
            position = next_position(writer)
            status, headers, _ = client.request(
                "PATCH",
                f"/api/v1/positions/{position}/",
                {"summary": "Revised in the benchmark.", "visibility": "session"},
                {
                    "Authorization": f"Token {writer['token']}",
                    "If-Match": f'"{state[position]}"',
                },
            )
            if status == 200:
                with lock:
                    state[position] = int(headers["ETag"].strip('"'))
                return True
            if status == 412:
                with lock:
                    state[position] += 1  # should not happen: each client owns its positions
            return False

        return job

    def bare_job(writer):
        def job() -> bool:
            position = next_position(writer)
            status, _, payload = client.request(
                "POST",
                f"/bench/revise/{position}/",
                {
                    "text": "Revised in the benchmark.",
                    "summary": "Revised in the benchmark.",
                    "visibility": "session",
                    "author": writer["user"],
                    "based_on": state[position],
                },
            )
            if status == 200:
                with lock:
                    state[position] = json.loads(payload)["version"]
                return True
            return False

        return job

    api = [api_job(w) for w in writers]
    bare = [bare_job(w) for w in writers]
    # Warm every worker (imports, connections), then alternate rounds and keep the best
    # of each: noise on a shared machine only ever slows a round down.
    concurrent_rate(api, 1.5)
    concurrent_rate(bare, 1.5)
    api_rates, bare_rates, failures = [], [], 0
    for _round in range(WRITE_ROUNDS):
        rate, _ok, failed = concurrent_rate(api, WRITE_SECONDS)
        api_rates.append(rate)
        failures += failed
        rate, _ok, failed = concurrent_rate(bare, WRITE_SECONDS)
        bare_rates.append(rate)
        failures += failed
    api_rate, bare_rate = max(api_rates), max(bare_rates)
    ratio = api_rate / bare_rate
    figures.add(
        "write_ratio",
        ratio,
        "x",
        ">= 0.5",
        # A refused revision is not a revision: any failure fails the figure.
        ratio >= 0.5 and failures == 0,
        api_per_second=round(api_rate, 1),
        bare_per_second=round(bare_rate, 1),
        api_rounds=[round(r, 1) for r in api_rates],
        bare_rounds=[round(r, 1) for r in bare_rates],
        clients=len(writers),
        failed_requests=failures,
    )


def measure_list(port: int, scene: dict, figures: Figures) -> None:
    client = Client(port)
    session = scene["list_session"]
    token = scene["facilitator_token"]
    api_path = f"/api/v1/positions/?session={session}&page_size=100"
    bare_path = f"/bench/positions/?session={session}&page_size=100"
    api_times, bare_times = [], []
    rows = {}
    for i in range(LIST_REQUESTS + 3):
        for label, path, headers, times in (
            ("api", api_path, {"Authorization": f"Token {token}"}, api_times),
            ("bare", bare_path, {}, bare_times),
        ):
            started = time.perf_counter()
            status, _, payload = client.request("GET", path, headers=headers)
            elapsed = time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"{label} list answered {status}: {payload[:300]!r}")
            if i >= 3:  # the first requests warm the workers
                times.append(elapsed)
            rows[label] = len(json.loads(payload)["results"])
    if rows["api"] != rows["bare"]:
        raise RuntimeError(f"the list and its baseline return different rows: {rows}")
    api_ms = statistics.median(api_times) * 1000
    bare_ms = statistics.median(bare_times) * 1000
    ratio = api_ms / bare_ms
    figures.add(
        "list_ratio",
        ratio,
        "x",
        "<= 2.0",
        ratio <= 2.0,
        api_median_ms=round(api_ms, 2),
        bare_median_ms=round(bare_ms, 2),
        rows=rows["api"],
        requests=len(api_times),
    )


def measure_list_queries(scene: dict, figures: Figures) -> None:
    """In-process: the queries of the positions page at 10 rows and at (up to) 1,000.
    The pagination's max_page_size (500) is raised for this measurement only."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from config.api import Pagination

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {scene['facilitator_token']}")
    session = scene["list_session"]
    counts = {}
    before = Pagination.max_page_size
    Pagination.max_page_size = 1000
    try:
        for size in (10, 1000):
            client.get(f"/api/v1/positions/?session={session}&page_size={size}")  # warm
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"/api/v1/positions/?session={session}&page_size={size}")
            assert response.status_code == 200, response.content[:300]
            counts[size] = (len(captured.captured_queries), len(response.json()["results"]))
    finally:
        Pagination.max_page_size = before
    (q10, r10), (q1000, r1000) = counts[10], counts[1000]
    figures.add(
        "list_queries_flat",
        q10 == q1000,
        "bool",
        "true",
        q10 == q1000,
        queries_small=q10,
        rows_small=r10,
        queries_large=q1000,
        rows_large=r1000,
    )


def measure_report(scene: dict, figures: Figures) -> None:
    from consensus.models import Point, Stance
    from debates.models import PositionVersion, Session
    from reports.content import build_post_session_report

    session = Session.objects.get(pk=scene["report_session"])

    def build() -> float:
        started = time.perf_counter()
        build_post_session_report(session, seed="bench", brief=None)
        return time.perf_counter() - started

    def fetch() -> float:
        started = time.perf_counter()
        points = list(
            Point.objects.filter(session=session).values_list(
                "pk", "agenda_item_id", "kind", "status", "statement", "carried_from_id"
            )
        )
        stances = list(
            Stance.objects.filter(point__session=session).values_list(
                "point_id", "delegation_id", "stance", "note"
            )
        )
        versions = list(
            PositionVersion.objects.filter(position__delegation__session=session).values_list(
                "position_id", "number", "text", "summary", "red_lines", "visibility"
            )
        )
        fetch.rows = len(points) + len(stances) + len(versions)
        return time.perf_counter() - started

    builds, fetches = [], []
    for _ in range(5):  # alternating, the best of each (as the write rounds)
        builds.append(build())
        fetches.append(fetch())
    seconds, plain = min(builds), min(fetches)
    ratio = seconds / plain
    figures.add(
        "report_ratio",
        ratio,
        "x",
        "<= 3.0",
        ratio <= 3.0,
        build_seconds=round(seconds, 3),
        fetch_seconds=round(plain, 3),
        rows_fetched=fetch.rows,
    )
    figures.add("report_seconds", round(seconds, 3), "s", "reported", True)


def measure_export(env: dict[str, str], scene: dict, figures: Figures) -> None:
    ids = ",".join(str(i) for i in scene["chain"])

    def run(mode: str) -> dict:
        out = subprocess.run(  # noqa: S603 (fixed arguments)
            [sys.executable, "-m", "bench.export", mode, ids],
            cwd=PROJECT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        return json.loads(out.stdout.strip().splitlines()[-1])

    streams, copies = [], []
    for _ in range(3):  # alternating, the best of each (as the write rounds)
        streams.append(run("stream"))
        copies.append(run("copy"))
    if streams[0]["rows"] != copies[0]["rows"]:
        raise RuntimeError(f"stream and COPY rows differ: {streams[0]} {copies[0]}")
    stream = min(streams, key=lambda r: r["seconds"])
    copy = min(copies, key=lambda r: r["seconds"])
    # Rate ratio: rows per second streamed over rows per second copied.
    ratio = copy["seconds"] / stream["seconds"]
    peak = max(r["peak_mb"] for r in streams)
    figures.add(
        "export_ratio",
        ratio,
        "x",
        ">= 0.5",
        ratio >= 0.5,
        rows=stream["rows"],
        stream_seconds=round(stream["seconds"], 3),
        copy_seconds=round(copy["seconds"], 3),
        stream_mb=round(stream["bytes"] / 1e6, 2),
    )
    figures.add(
        "export_peak_mb",
        round(peak, 1),
        "MB",
        "<= 150",
        peak <= 150,
        copy_peak_mb=round(max(r["peak_mb"] for r in copies), 1),
    )


def set_aside_write_events(redis_url: str) -> None:
    """The write rounds recorded an event per revision (the outbox), whose fan-out no
    worker has run yet (the workers start after them) and which no figure measures:
    thousands of emails to the delegations' heads. They are set aside, marked fanned
    out, and the broker emptied, and their audit events chained (what the workers'
    first drain would do), so that the fan-out is timed on idle workers."""
    import redis
    from django.utils import timezone

    from audit.services import audit_seal
    from notifications.models import Event

    count = Event.objects.filter(fanned_out_at__isnull=True).update(fanned_out_at=timezone.now())
    redis.Redis.from_url(redis_url).flushdb()
    sealed = audit_seal()
    say(
        f"set aside {count} events of the write rounds (not fanned out), broker emptied; "
        f"their {sealed} audit events chained"
    )


def drain_backlog() -> dict:
    """Wait until the workers have fanned out every event and attempted every delivery
    the earlier measurements left behind, so the fan-out is timed on idle workers."""
    from notifications.models import Delivery, Event

    def drained():
        events = Event.objects.filter(fanned_out_at__isnull=True).count()
        pending = Delivery.objects.filter(status=Delivery.Status.PENDING).count()
        return (events, pending) == (0, 0)

    started = time.perf_counter()
    wait_until(drained, "the workers to drain the earlier events", timeout=300, every=0.5)
    return {"drain_seconds": round(time.perf_counter() - started, 1)}


def measure_fanout(scene: dict, figures: Figures) -> None:
    from django.db import transaction

    from accounts.models import User
    from debates import services
    from debates.models import Session
    from notifications.models import Event, EventKind, Notification
    from notifications.selectors import recipients

    session = Session.objects.get(pk=scene["fanout_session"])
    actor = User.objects.get(pk=scene["facilitator"])

    # The baseline: bulk_create of the same rows (the same recipients, the actor
    # excluded), for a throw-away event, removed afterwards.
    probe = Event.objects.create(kind=EventKind.AGENDA_PUBLISHED, session=session, actor=actor)
    people = list(recipients(probe).values_list("pk", flat=True))
    bulk_times = []
    for _ in range(2):
        started = time.perf_counter()
        with transaction.atomic():
            Notification.objects.bulk_create(
                Notification(event=probe, recipient_id=pk) for pk in people
            )
        bulk_times.append(time.perf_counter() - started)
        Notification.objects.filter(event=probe).delete()
    probe.delete()
    bulk = min(bulk_times)

    started = time.perf_counter()
    services.session_transition(actor=actor, session=session, to=Session.Status.AGENDA_PUBLISHED)
    committed = time.perf_counter() - started
    event = Event.objects.get(session=session, kind=EventKind.AGENDA_PUBLISHED)
    expected = len(people)

    def delivered():
        return Notification.objects.filter(event=event).count() >= expected

    wait_until(delivered, f"{expected} notifications", timeout=300, every=0.02)
    seconds = time.perf_counter() - started
    ratio = seconds / bulk
    figures.add(
        "fanout_ratio",
        ratio,
        "x",
        "<= 3.0",
        ratio <= 3.0,
        notifications=expected,
        publish_to_delivered_seconds=round(seconds, 3),
        transition_commit_seconds=round(committed, 3),
        bulk_create_seconds=round(bulk, 3),
    )


# The scene ----------------------------------------------------------------------------


def scene_of() -> dict:
    """Who and what the measurements use, from the generated dialogue."""
    from rest_framework.authtoken.models import Token

    from accounts.models import User
    from debates.models import DelegationMember, Position, Session
    from debates.selectors import session_ancestor_ids

    sessions = list(Session.objects.order_by("starts_at"))
    last, writing = sessions[-1], sessions[-2]
    facilitator = User.objects.get(username=f"scale{SEED}-facilitator")
    heads = list(
        DelegationMember.objects.filter(session=writing, role="head")
        .select_related("delegation")
        .order_by("delegation__party__code")
    )
    writers = []
    for head in heads:
        positions = Position.objects.filter(delegation=head.delegation).order_by(
            "agenda_item__order"
        )
        token, _ = Token.objects.get_or_create(user_id=head.user_id)
        writers.append(
            {
                "user": head.user_id,
                "token": token.key,
                "positions": list(positions.values_list("pk", flat=True)),
            }
        )
    fac_token, _ = Token.objects.get_or_create(user=facilitator)
    return {
        "chain": [*session_ancestor_ids(last.pk), last.pk],
        "list_session": writing.pk,
        "report_session": last.pk,
        "fanout_session": last.pk,
        "facilitator": facilitator.pk,
        "facilitator_token": fac_token.key,
        "writers": writers,
    }


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    import django

    return {
        "cpus": CPUS,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgres": postgres,
        "redis": subprocess.run(  # noqa: S603
            [shutil.which("redis-server") or "redis-server", "--version"],
            capture_output=True,
            text=True,
        ).stdout.strip(),
        "gunicorn_workers": WORKERS,
        "write_clients": CLIENTS,
        "celery_workers": 2,
        "bench_scale": SCALE,
    }


def main() -> int:
    LOGS.mkdir(parents=True, exist_ok=True)
    redis_port, web_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH": "1",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-a-secret",
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": redis_url,
        "EMAIL_URL": "dummymail://",
        # Far above what the clients reach: the throttle still runs (and counts in
        # Redis) on every write, it just never refuses one.
        "THROTTLE_WRITES": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "BENCH_SCALE": str(SCALE),
    }
    os.environ.update(env)
    figures = Figures()
    try:
        start(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            env,
        )
        wait_until(lambda: listening(redis_port), "redis-server")
        say(f"redis-server on {redis_port}; fresh database {urlparse(DATABASE_URL).path[1:]}")
        fresh_database()
        manage(env, "migrate", "--no-input", "-v0")
        say(f"migrated; generating at BENCH_SCALE={SCALE}")
        manage(env, "generate_scale", "--seed", str(SEED))
        say("generated")

        import django

        django.setup()
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            # Write out what the generator left in memory now, not during the first
            # timed rounds (a checkpoint there slowed them by a fifth).
            cursor.execute("CHECKPOINT")
        scene = scene_of()

        web = start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{web_port}",
                "--log-level",
                "warning",
            ],
            env,
        )
        wait_until(lambda: listening(web_port) or not web.alive(), "gunicorn")
        if not web.alive():
            raise RuntimeError(f"gunicorn exited:\n{web.tail()}")
        say(f"gunicorn ({WORKERS} workers) on {web_port}")

        measure_writes(web_port, scene, figures)
        measure_list(web_port, scene, figures)
        measure_list_queries(scene, figures)
        measure_report(scene, figures)
        measure_export(env, scene, figures)
        web.stop()

        workers = [
            start(
                f"celery-{n}",
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "-Q",
                    "celery,reports",
                    "--pool=prefork",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=WARNING",
                    "-n",
                    f"bench{n}@localhost",
                ],
                env,
            )
            for n in (1, 2)
        ]
        set_aside_write_events(redis_url)
        from config.celery import app as celery_app

        def ready():
            for worker in workers:
                if not worker.alive():
                    raise RuntimeError(f"{worker.name} exited:\n{worker.tail()}")
            replies = celery_app.control.ping(timeout=0.5)
            return len(replies) >= 2

        wait_until(ready, "two celery workers", timeout=60)
        drained = drain_backlog()
        say(f"two celery workers up; earlier events drained {drained}")
        measure_fanout(scene, figures)
    finally:
        stop_all()

    result = {"machine": machine(), "figures": figures.rows, "details": figures.details}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print()
    print(f"{'figure':<20} {'value':>10} {'unit':<5} {'goal':<10} met")
    for row in figures.rows:
        value = row["value"]
        shown = f"{value:.3f}" if isinstance(value, float) else str(value)
        print(f"{row['name']:<20} {shown:>10} {row['unit']:<5} {row['goal']:<10} {row['met']}")
    print(f"\nwritten to {RESULTS.relative_to(PROJECT)} in {time.monotonic() - STARTED:.0f} s")
    return 0 if all(row["met"] for row in figures.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
