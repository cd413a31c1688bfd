"""`manage.py generate_scale --seed 1`: a dialogue at benchmark scale (bench/run.py).

One dialogue, a chain of sessions (each builds on the one before), a delegation of every
party in each session with the same people, agenda items, points with every
delegation's stance, every delegation's position on every item with several versions,
and a crowd of observers on the last session. Sizes are options; the environment
variable BENCH_SCALE (e.g. 0.1) shrinks the defaults of delegations, items and
observers.

The session statuses: every session but the last two is `concluded`, the one before the
last is `in_progress` (positions may be revised there), and the last is left in `draft`
with its agenda, so that publishing it fans out to its observers.

This command BYPASSES THE SERVICES on purpose: it writes with bulk_create, in batches,
so that the full size builds in a few minutes. No audit trail, no events, no
notifications are written for what it creates. Every row is still valid against the
models' constraints and the PostgreSQL triggers (links point to earlier sessions of the
same dialogue, delegations' parties belong to the dialogue, one delegation per person
and session, one head per delegation, carried points say what became of them, version
numbers from 1). Seeded: the same options give the same rows (ids aside).
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from consensus.models import Point, Stance
from debates.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Dialogue,
    MemberRole,
    Party,
    Position,
    PositionVersion,
    Rule,
    Session,
    SessionLink,
    Topic,
    Visibility,
)

BATCH = 5000
WORDS = (
    "safety",
    "evaluation",
    "frontier",
    "model",
    "capability",
    "risk",
    "threshold",
    "disclosure",
    "incident",
    "testing",
    "audit",
    "compute",
    "access",
    "governance",
    "verification",
    "red-team",
    "benchmark",
    "misuse",
    "deployment",
    "oversight",
    "transparency",
    "cooperation",
    "standard",
    "protocol",
    "reporting",
)


def scaled(value: int, scale: float, low: int = 1) -> int:
    return max(low, round(value * scale))


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


class Command(BaseCommand):
    help = "Generate a seeded dialogue at benchmark scale (bypasses the services)."

    def add_arguments(self, parser):
        scale = float(os.environ.get("BENCH_SCALE", "1") or 1)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--sessions", type=int, default=3)
        parser.add_argument("--delegations", type=int, default=scaled(50, scale, 2))
        parser.add_argument("--people", type=int, default=4, help="people per delegation")
        parser.add_argument("--items", type=int, default=scaled(200, scale, 2))
        parser.add_argument("--points", type=int, default=5, help="points per agenda item")
        parser.add_argument("--versions", type=int, default=3, help="versions per position")
        parser.add_argument("--observers", type=int, default=scaled(5000, scale, 2))

    def say(self, message: str) -> None:
        elapsed = time.monotonic() - self.started
        self.stdout.write(f"[generate_scale {elapsed:6.1f}s] {message}")
        self.stdout.flush()

    def handle(self, *args, **o):
        if o["sessions"] < 2 or o["people"] < 1 or o["versions"] < 1:
            raise CommandError("Need at least 2 sessions, 1 person and 1 version.")
        self.started = time.monotonic()
        seed = o["seed"]
        title = f"Scale dialogue (seed {seed})"
        if Dialogue.objects.filter(title=title).exists():
            raise CommandError(f"'{title}' exists already: use a fresh database or seed.")
        self.rng = random.Random(seed)
        with transaction.atomic():
            self.generate(seed, title, o)
        self.say("done")

    def generate(self, seed: int, title: str, o: dict) -> None:
        rng = self.rng
        prefix = f"scale{seed}"
        topics = list(
            Topic.objects.filter(parent__isnull=False).order_by("code").values_list("pk", flat=True)
        ) or list(Topic.objects.order_by("code").values_list("pk", flat=True))
        if not topics:
            raise CommandError("No topics: run the migrations first.")

        dialogue = Dialogue.objects.create(
            title=title, languages=["en", "zh-hans"], default_rule=Rule.CHATHAM_HOUSE
        )
        parties = Party.objects.bulk_create(
            Party(dialogue=dialogue, name=f"Party {i:03d}", code=f"P{i:03d}")
            for i in range(o["delegations"])
        )
        # People: an admin, a facilitator, the delegations' members, the observers.
        # Unusable passwords ("!"): the benchmark signs in with API tokens.
        users = [
            User(
                username=f"{prefix}-admin",
                is_staff=True,
                password=UNUSABLE_PASSWORD_PREFIX,
                email="",
            ),
            User(
                username=f"{prefix}-facilitator",
                password=UNUSABLE_PASSWORD_PREFIX,
                email=f"{prefix}-fac@example.org",
            ),
        ]
        for p in range(o["delegations"]):
            for m in range(o["people"]):
                users.append(
                    User(
                        username=f"{prefix}-p{p:03d}-m{m}",
                        display_name=f"Delegate {p}.{m}",
                        password=UNUSABLE_PASSWORD_PREFIX,
                        email=f"{prefix}-p{p:03d}-m{m}@example.org",
                    )
                )
        for i in range(o["observers"]):
            users.append(
                User(
                    username=f"{prefix}-obs{i:05d}",
                    password=UNUSABLE_PASSWORD_PREFIX,
                    email=f"{prefix}-obs{i:05d}@example.org",
                )
            )
        users = User.objects.bulk_create(users, batch_size=BATCH)
        facilitator = users[1]
        members = users[2 : 2 + o["delegations"] * o["people"]]
        observers = users[2 + o["delegations"] * o["people"] :]
        self.say(f"{len(users)} people, {len(parties)} parties")

        start = datetime(2026, 1, 12, 9, 0, tzinfo=UTC)
        n = o["sessions"]
        statuses = [Session.Status.CONCLUDED] * (n - 2) + [
            Session.Status.IN_PROGRESS,
            Session.Status.DRAFT,
        ]
        sessions = Session.objects.bulk_create(
            Session(
                dialogue=dialogue,
                title=f"Scale session {s + 1}",
                track=[Session.Track.TRACK_2, Session.Track.TRACK_1_5, Session.Track.TRACK_1][
                    s % 3
                ],
                format=Session.Format.MULTILATERAL,
                rule=Rule.CHATHAM_HOUSE if s % 2 == 0 else Rule.ON_RECORD,
                status=statuses[s],
                starts_at=start + timedelta(days=60 * s),
                ends_at=start + timedelta(days=60 * s, hours=8),
                location="Geneva",
            )
            for s in range(n)
        )
        SessionLink.objects.bulk_create(
            SessionLink(session=sessions[s], earlier=sessions[s - 1]) for s in range(1, n)
        )
        Session.facilitators.through.objects.bulk_create(
            Session.facilitators.through(session_id=s.pk, user_id=facilitator.pk) for s in sessions
        )
        Session.observers.through.objects.bulk_create(
            (
                Session.observers.through(session_id=sessions[-1].pk, user_id=u.pk)
                for u in observers
            ),
            batch_size=BATCH,
        )
        self.say(f"{n} sessions (chain), {len(observers)} observers on the last")

        delegations = Delegation.objects.bulk_create(
            Delegation(session=s, party=p) for s in sessions for p in parties
        )
        by_session: dict[int, list[Delegation]] = {}
        for d in delegations:
            by_session.setdefault(d.session_id, []).append(d)
        member_rows = []
        head_of: dict[int, User] = {}
        for d in delegations:
            p = int(d.party.code[1:])
            people = members[p * o["people"] : (p + 1) * o["people"]]
            head_of[d.pk] = people[0]
            for m, user in enumerate(people):
                member_rows.append(
                    DelegationMember(
                        delegation=d,
                        session_id=d.session_id,
                        user=user,
                        role=MemberRole.HEAD if m == 0 else MemberRole.MEMBER,
                    )
                )
        DelegationMember.objects.bulk_create(member_rows, batch_size=BATCH)
        self.say(f"{len(delegations)} delegations, {len(member_rows)} memberships")

        items = AgendaItem.objects.bulk_create(
            (
                AgendaItem(
                    session=s,
                    topic_id=rng.choice(topics),
                    order=i + 1,
                    title=f"Item {i + 1}: {sentence(rng, 4)}",
                    objective=sentence(rng, 12),
                    urgency=rng.randint(1, 5),
                    minutes=rng.choice((15, 30, 45, 60)),
                )
                for s in sessions
                for i in range(o["items"])
            ),
            batch_size=BATCH,
        )
        self.say(f"{len(items)} agenda items")

        # Points: the first two of each item of a later session carry on the same point
        # of the session before (reaffirmed or reopened); the others are new.
        points: list[Point] = []
        previous: dict[tuple[int, int], Point] = {}
        for s, session in enumerate(sessions):
            rows = []
            for i in range(o["items"]):
                item = items[s * o["items"] + i]
                for k in range(o["points"]):
                    origin = previous.get((i, k)) if k < 2 else None
                    rows.append(
                        Point(
                            session=session,
                            agenda_item=item,
                            kind=rng.choice(Point.Kind.values),
                            statement=sentence(rng, 14),
                            status=Point.Status.CONFIRMED
                            if rng.random() < 0.8
                            else Point.Status.PROPOSED,
                            carried_from=origin,
                            carry_status=rng.choice(("reaffirmed", "reopened"))
                            if origin
                            else Point.CarryStatus.NEW,
                            recorded_by=facilitator,
                        )
                    )
            created = Point.objects.bulk_create(rows, batch_size=BATCH)
            points.extend(created)
            previous = {
                (i, k): created[i * o["points"] + k]
                for i in range(o["items"])
                for k in range(o["points"])
            }
        self.say(f"{len(points)} points")

        stance_values = Stance.Value.values
        weights = (6, 2, 1, 1)
        total = 0
        rows = []
        for point in points:
            for d in by_session[point.session_id]:
                rows.append(
                    Stance(
                        point=point,
                        delegation=d,
                        stance=rng.choices(stance_values, weights)[0],
                        note=sentence(rng, 5) if rng.random() < 0.3 else "",
                        recorded_by=facilitator,
                    )
                )
            if len(rows) >= BATCH * 4:
                Stance.objects.bulk_create(rows, batch_size=BATCH)
                total += len(rows)
                rows = []
                self.say(f"{total} stances")
        Stance.objects.bulk_create(rows, batch_size=BATCH)
        total += len(rows)
        self.say(f"{total} stances")

        positions = Position.objects.bulk_create(
            (
                Position(delegation=d, agenda_item=item, current_version=o["versions"])
                for s, session in enumerate(sessions)
                for item in items[s * o["items"] : (s + 1) * o["items"]]
                for d in by_session[session.pk]
            ),
            batch_size=BATCH,
        )
        self.say(f"{len(positions)} positions")
        visibilities = Visibility.values
        total = 0
        rows = []
        for position in positions:
            author = head_of[position.delegation_id]
            for number in range(1, o["versions"] + 1):
                rows.append(
                    PositionVersion(
                        position=position,
                        number=number,
                        text=sentence(rng, 30),
                        summary=sentence(rng, 8),
                        red_lines=sentence(rng, 6) if rng.random() < 0.3 else "",
                        proposed_language="",
                        visibility=rng.choice(visibilities),
                        author=author,
                    )
                )
            if len(rows) >= BATCH * 4:
                PositionVersion.objects.bulk_create(rows, batch_size=BATCH)
                total += len(rows)
                rows = []
                self.say(f"{total} position versions")
        PositionVersion.objects.bulk_create(rows, batch_size=BATCH)
        total += len(rows)
        self.say(f"{total} position versions")
