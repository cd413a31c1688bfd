"""Real-browser tests: Playwright drives Debian's Chromium, headless, against
pytest-django's live server on the test database, with the demo loaded.

- `browser`: Chromium for one test, launched from /usr/bin/chromium (installed by
  `.ci/run`; Playwright downloads no browser).
- `new_page()`: a fresh browser context (its own cookies: another person, another
  device) on the live server, in English unless the person chooses otherwise.
- `demo`: the demo of `manage.py load_demo` (loaded once per run, its rows put back
  for every test), committed where the live server reads it, with session 3 ("Track II
  review") moved from draft to agenda_published by its facilitator, so that
  delegations can log positions on its one agenda item.
- Celery runs tasks at once, in the thread that hands them over (the live server's,
  for the pages): the project's embedded mode, as under `make run`. Nobody consumes
  the test process's broker, and the pages under test need the brief and the
  post-session report built (a pending one makes the session page refresh itself).
- `sign_in(page, username)` and `shot(page, name)`: the login form, filled as a person
  does; a full-page screenshot saved to docs/screenshots/<name>.png.

Tests using them need committed rows the live server can read:
`@pytest.mark.django_db(transaction=True, serialized_rollback=True)` (serialized_rollback
puts back the topics seeded by migration after the flush)."""

from __future__ import annotations

import fcntl
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from playwright.sync_api import Page, expect, sync_playwright

from accounts.models import User
from config.celery import app as celery_app
from debates import services
from debates.models import Session
from reports.models import Report

PROJECT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT / "docs" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "demo"
# Every wait in the browser is bounded by this (milliseconds): a page not there by then
# is a failure, not slowness.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)
# A laptop's window.
VIEWPORT = {"width": 1280, "height": 800}
SESSION_3 = "Track II review"


@pytest.fixture
def browser(live_server, monkeypatch):
    """Chromium, for one test. Playwright's synchronous API keeps an asyncio loop
    running in this thread while it is open, and Django refuses the ORM under a running
    loop; the test's own ORM calls are plain synchronous ones, so the check is lifted
    while the browser is open, and the browser (and its loop) never outlives the test:
    the next test in this process finds no loop."""
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests drive Debian's Chromium: install it ({CHROMIUM})")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            # Under the running loop, Django hands out connections of their own
            # (asgiref's context-local storage): close them while that loop still
            # runs, or they outlive the test and keep the test database from being
            # dropped.
            connections.close_all()
            browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context; every context is closed at the end."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="en-US", viewport=VIEWPORT, accept_downloads=True
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


@pytest.fixture
def tasks_run_at_once():
    """Celery as the project runs it without a broker: a task handed over runs at once,
    in the thread that hands it over (the live server's, for the pages)."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory, worker_id) -> Path:
    """Where the demo, once loaded, is kept for every test process of this run (the
    xdist workers share the run's base temporary folder; a new run starts afresh)."""
    base = tmp_path_factory.getbasetemp()
    return (base if worker_id == "master" else base.parent) / "e2e-demo"


@pytest.fixture
def demo(live_server, tasks_run_at_once, demo_store, settings) -> Session:
    """The demo, committed; session 3 (returned) moved on to agenda_published by its
    facilitator, its pre-session brief built.

    The first test of the run loads it with `manage.py load_demo` (some ten seconds: it
    builds four reports and their PDFs) and keeps a copy of the tables it filled (COPY)
    and of its report files; every other test, in any process, copies them back (a
    fraction of a second) over the seeded rows serialized_rollback puts back, and
    moves every sequence past them."""
    demo_store.mkdir(parents=True, exist_ok=True)
    tables = demo_store / "tables"
    files = demo_store / "media"
    with (demo_store / "lock").open("w") as lock:
        # One process loads the demo; the others wait for it, then copy it back.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not tables.exists():
            seeded = {table for table in _tables() if _has_rows(table)}
            call_command("load_demo", stdout=StringIO())
            services.session_transition(
                actor=User.objects.get(username="facilitator"),
                session=Session.objects.get(title=SESSION_3),
                to=Session.Status.AGENDA_PUBLISHED,
            )
            _copy_report_files(Path(settings.MEDIA_ROOT), files)
            _tables_save([t for t in _tables() if t not in seeded], tables.with_suffix(".tmp"))
            tables.with_suffix(".tmp").rename(tables)
        else:
            _tables_restore(tables)
            _copy_report_files(files, Path(settings.MEDIA_ROOT))
    return Session.objects.get(title=SESSION_3)


def _tables() -> list[str]:
    """Every table of the project's models, many-to-many ones included, in the order of
    the models (what a row's insert triggers check is inserted before it)."""
    tables: list[str] = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy and model._meta.db_table not in tables:
            tables.append(model._meta.db_table)
    return tables


def _has_rows(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")')  # noqa: S608 (model tables)
        return cursor.fetchone()[0]


def _tables_save(tables: list[str], folder: Path) -> None:
    folder.mkdir()
    with connection.cursor() as cursor:
        for index, table in enumerate(tables):
            path = folder / f"{index:03d}.{table}"
            with path.open("wb") as out, cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                for data in copy:
                    out.write(data)


def _tables_restore(folder: Path) -> None:
    # One transaction: foreign keys are checked at its end, once every table is back.
    with transaction.atomic(), connection.cursor() as cursor:
        for path in sorted(folder.iterdir()):
            table = path.name.split(".", 1)[1]
            with cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                copy.write(path.read_bytes())
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)


def _copy_report_files(source: Path, target: Path) -> None:
    """The reports' exports (files in the default storage, named in their rows)."""
    for exports in Report.objects.values_list("exports", flat=True):
        for name in exports.values():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, target / name)


def sign_in(page: Page, username: str) -> None:
    """Sign in on the login page as a demo person; land on their sessions."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    expect(page.locator("header.top .who")).to_be_visible()


LANGUAGES = {"English": "en", "中文": "zh-hans"}


def switch_language(page: Page, label: str) -> None:
    """Choose a language with the switcher in the header ("English" or "中文")."""
    switcher = page.locator("header.top form[action='/language/']")
    switcher.locator("select[name=language]").select_option(label=label)
    switcher.locator("button").click()
    expect(page.locator("html")).to_have_attribute("lang", LANGUAGES[label])


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot of what the page shows to docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_session(page: Page, title: str = SESSION_3) -> None:
    """From the person's sessions, open one by its title."""
    page.goto("/")
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.locator("h1")).to_have_text(title)
