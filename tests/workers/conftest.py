"""Real processes for the tests of the notification workers, and nothing mocked.

- `broker`: a private `redis-server` on a free port, per test, that a test may stop and
  start again on the same port (empty: it keeps nothing on disk, like a Redis that
  crashed without persistence).
- `worker`: `celery -A config worker` as a subprocess (prefork, one child) on that
  broker and on this test's database, with short retry and relay settings; it answers a
  ping before the test starts, can be killed with SIGKILL mid-task and started afresh,
  and is killed (its whole process group) at teardown.
- the test process's own Celery app and `settings.REDIS_URL` (broker and cache, as in
  production where one Redis is both) point at the private broker for the test.
- `make_receiver`: a local HTTP server receiving webhooks, which can answer 500 a given
  number of times, hold its first request, or be down (not started yet).

Tests using them need committed rows the worker can read:
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)` (serialized_rollback
puts back the topics seeded by migration after the flush)."""

from __future__ import annotations

import contextlib
import email
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection

from config.celery import app as celery_app

PROJECT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
REDIS_SERVER = shutil.which("redis-server") or "redis-server"
# Every wait is bounded by this, far above what the slowest step takes on a loaded
# two-core machine: a condition not met by then is a failure, not slowness.
WAIT_SECONDS = 30.0
# What the worker under test is configured with (its environment).
MAX_ATTEMPTS = 3
# Seconds: longer than any task that runs to its end here (each takes well under one),
# short enough for a task lost with its worker to come back within the test.
VISIBILITY_TIMEOUT = 5


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hold_port(port: int) -> socket.socket:
    """Bind `port` without listening: connections to it are refused, as to a server that
    is down, and no other process can take the port until the socket is closed."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


def wait_until(
    condition: Callable[[], object],
    *,
    what: str,
    timeout: float = WAIT_SECONDS,
    details: Callable[[], str] = lambda: "",
):
    """Poll `condition` until it returns something true (returned), or fail after
    `timeout` seconds saying what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            extra = details()
            raise AssertionError(
                f"gave up after {timeout:.0f} s waiting for {what}"
                + (f"\n{extra}" if extra else "")
            )
        time.sleep(0.1)


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""


# Redis ------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of our own. stop() and start() keep the port (held while it is
    down), so whoever was connected finds it again where it was, empty."""

    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None
        self._held: socket.socket | None = None

    def start(self) -> None:
        self.release_port()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [
                    REDIS_SERVER,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(self._started, what=f"redis-server on port {self.port}", details=self.log_tail)

    def _started(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"redis-server on port {self.port} exited:\n{self.log_tail()}")
        return self.answers()

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self, *, hold: bool = True) -> None:
        """Stop the server; with `hold`, keep its port until start() (connections are
        refused meanwhile, as by a Redis that is down)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        if hold:
            self._held = hold_port(self.port)

    def release_port(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2)

    def log_tail(self) -> str:
        return _tail(self.log)


@pytest.fixture
def broker(tmp_path):
    """A private Redis on a free port, running; always stopped at the end."""
    if shutil.which(REDIS_SERVER) is None:
        pytest.fail("the worker tests start their own redis-server: install it (PATH)")
    for attempt in itertools.count(1):
        server = RedisServer(free_port(), tmp_path / "redis.log")
        try:
            server.start()
            break
        except RuntimeError:  # another process took the port in between
            server.stop(hold=False)
            if attempt == 3:
                raise
    try:
        yield server
    finally:
        server.stop(hold=False)
        server.release_port()


def _point_celery_at(url: str) -> str:
    """Make the test process's Celery app publish to `url` from now on; return the URL
    it used before. Its connection and producer pools (the app's, and the control
    mailbox's cached one, used by ping) are dropped so that none keeps the old URL."""
    before = celery_app.conf.broker_url
    pool, celery_app._pool = celery_app._pool, None
    if pool is not None:
        pool.force_close_all()
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    celery_app.control.mailbox.__dict__.pop("producer_pool", None)
    celery_app.conf.broker_url = url
    return before


@pytest.fixture
def on_broker(broker, settings):
    """The test process (API views, services, healthz) uses the private broker: its
    Celery app publishes there, never eagerly, and REDIS_URL and the cache point there
    too, as in a deployment where one Redis is broker and cache."""
    settings.REDIS_URL = broker.url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": broker.url},
    }
    eager_before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    url_before = _point_celery_at(broker.url)
    try:
        yield broker
    finally:
        _point_celery_at(url_before)
        celery_app.conf.task_always_eager = eager_before


# Mail -------------------------------------------------------------------------------


@pytest.fixture
def mailbox(tmp_path) -> Path:
    """Where the worker's email backend (django-environ's filemail://) writes."""
    path = tmp_path / "mail"
    path.mkdir()
    return path


def emails_sent(mailbox: Path) -> list[tuple[int, str]]:
    """(event id, recipient address) of every message in the file backend's output, in
    no particular order, duplicates kept. The backend appends each message to a file per
    connection, separated by a line of 79 dashes."""
    sent = []
    for path in sorted(mailbox.iterdir()):
        for chunk in path.read_text().split("-" * 79 + "\n"):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk)
            sent.append((int(message["X-Trackbridge-Event"]), message["To"]))
    return sent


# The worker -------------------------------------------------------------------------


@pytest.fixture
def worker_env(broker, mailbox, django_db_setup) -> dict[str, str]:
    """The worker's environment: this test's database and broker, mail into `mailbox`,
    and retry and relay timings short enough for a test."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    database_url = (
        f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{quote(db['NAME'])}"
    )
    return {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url,
        # No idle connection left behind for the flush at teardown to wait on.
        "CONN_MAX_AGE": "0",
        "REDIS_URL": broker.url,
        # Four slashes: django-environ drops the first one of the path.
        "EMAIL_URL": f"filemail:///{mailbox}",
        "NOTIFY_RETRY_BASE_SECONDS": "0.2",
        "NOTIFY_RETRY_MAX_SECONDS": "1",
        "NOTIFY_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "NOTIFY_RELAY_GRACE_SECONDS": "0.5",
        "NOTIFY_WEBHOOK_TIMEOUT": "10",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "MEDIA_ROOT": str(mailbox.parent / "media"),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }


class Worker:
    """`celery -A config worker` in its own process group (the main process and its
    prefork child), so that kill() takes both down at once, as a lost machine would."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.starts = 0
        self.process: subprocess.Popen | None = None
        self.name = ""
        self.log = log_dir / "worker-0.log"

    def start(self) -> None:
        self.starts += 1
        self.name = f"trackbridge-test-{uuid.uuid4().hex[:8]}@localhost"
        self.log = self.log_dir / f"worker-{self.starts}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [
                    str(CELERY),
                    "-A",
                    "config",
                    "worker",
                    "--loglevel=INFO",
                    "--pool=prefork",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "-n",
                    self.name,
                ],
                cwd=PROJECT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._ready, what=f"worker {self.name} to answer a ping", details=self.log_tail)

    def _ready(self) -> bool:
        if not self.running():
            raise RuntimeError(f"worker exited at start:\n{self.log_tail()}")
        return self.answers()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def answers(self) -> bool:
        try:
            replies = celery_app.control.ping(destination=[self.name], timeout=0.5)
        except Exception:  # the broker's connection errors vary
            return False
        return any(self.name in reply for reply in replies)

    def kill(self) -> None:
        """SIGKILL to the main process and its child: no shutdown, no ack, no cleanup."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        """A warm shutdown (SIGTERM), as a deployment stops it; SIGKILL if it hangs."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def log_tail(self) -> str:
        return f"--- {self.log.name} ---\n{_tail(self.log)}"


@pytest.fixture
def worker(worker_env, on_broker, tmp_path):
    """A running worker on the private broker; killed at teardown, before the database
    is flushed (the django_db marker's fixture is set up first, so torn down last)."""
    process = Worker(worker_env, tmp_path)
    try:
        process.start()
        yield process
    finally:
        process.kill()


# Webhook receiver -------------------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1:`port`. It answers each delivery (by its
    X-Trackbridge-Delivery-Id) with `failures` 500s first, then 200s; with `hold_first`
    it sits on its very first request that many seconds before answering (while a test
    kills the worker waiting on it). Not listening until start(): a receiver that is
    down. It records every request."""

    port: int
    failures: int = 0
    hold_first: float = 0.0
    requests: list[Received] = field(default_factory=list)
    first_arrived: threading.Event = field(default_factory=threading.Event)
    _released: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    _held: socket.socket | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        receiver = self
        if self._held is not None:
            self._held.close()
            self._held = None

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                delivery = headers.get("x-trackbridge-delivery-id")
                with receiver._lock:
                    receiver.requests.append(Received(self.path, headers, body))
                    first = len(receiver.requests) == 1
                    tries = sum(
                        r.headers.get("x-trackbridge-delivery-id") == delivery
                        for r in receiver.requests
                    )
                if first:
                    receiver.first_arrived.set()
                    if receiver.hold_first:
                        receiver._released.wait(receiver.hold_first)
                status = 500 if tries <= receiver.failures else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the worker that sent it is gone

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._held is not None:
            self._held.close()
            self._held = None

    def received(self) -> list[Received]:
        with self._lock:
            return list(self.requests)


@pytest.fixture
def make_receiver():
    """make_receiver(failures=0, hold_first=0, up=True) -> a Receiver; all stopped at
    the end."""
    receivers: list[Receiver] = []

    def make(*, failures: int = 0, hold_first: float = 0.0, up: bool = True) -> Receiver:
        receiver = Receiver(free_port(), failures=failures, hold_first=hold_first)
        receivers.append(receiver)
        if up:
            receiver.start()
        else:
            receiver._held = hold_port(receiver.port)
        return receiver

    yield make
    for receiver in receivers:
        receiver.stop()
