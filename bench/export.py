"""The export figures: every stance of a chain of sessions as CSV, streamed from a
server-side cursor through csv.writer, against PostgreSQL's own COPY ... TO STDOUT of
the same rows.

`python -m bench.export stream|copy <session ids, comma-separated>` runs one of the two
in a fresh process and prints one JSON line: seconds, rows, bytes, and the process's peak
RSS in MB (VmHWM, which includes the interpreter and Django)."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import resource
import sys
import time
from collections.abc import Iterator

COLUMNS = ["session", "agenda_item", "point", "party", "stance", "note"]

COPY_SQL = """
    COPY (
        SELECT p.session_id, p.agenda_item_id, s.point_id, pa.code, s.stance, s.note
        FROM consensus_stance s
        JOIN consensus_point p ON p.id = s.point_id
        JOIN debates_delegation d ON d.id = s.delegation_id
        JOIN debates_party pa ON pa.id = d.party_id
        WHERE p.session_id = ANY(%s)
        ORDER BY p.session_id, s.point_id, pa.code
    ) TO STDOUT WITH (FORMAT csv, HEADER true)
"""


def stream_stances_csv(session_ids: list[int], chunk_size: int = 5000) -> Iterator[bytes]:
    """CSV lines (bytes) of every stance of `session_ids`, in COPY's order, read with a
    server-side cursor (.iterator()): memory stays flat whatever the number of rows. A
    thousand rows at a time go through csv.writer's writerows, whose loop runs in C."""
    from consensus.models import Stance

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = (
        Stance.objects.filter(point__session_id__in=session_ids)
        .order_by("point__session_id", "point_id", "delegation__party__code")
        .values_list(
            "point__session_id",
            "point__agenda_item_id",
            "point_id",
            "delegation__party__code",
            "stance",
            "note",
        )
        .iterator(chunk_size=chunk_size)
    )
    while True:
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        batch = list(itertools.islice(rows, 1000))
        if not batch:
            return
        writer.writerows(batch)


def copy_stances_csv(session_ids: list[int]) -> Iterator[bytes]:
    from django.db import connection

    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(COPY_SQL, [session_ids]) as copy:
        for block in copy:
            yield bytes(block)


def measure(mode: str, session_ids: list[int]) -> dict:
    produce = stream_stances_csv if mode == "stream" else copy_stances_csv
    digest = hashlib.sha256()
    size = lines = 0
    started = time.perf_counter()
    for chunk in produce(session_ids):
        size += len(chunk)
        lines += chunk.count(b"\n")
        digest.update(chunk)
    seconds = time.perf_counter() - started
    peak_kb = _peak_rss_kb()
    return {
        "mode": mode,
        "seconds": seconds,
        "rows": lines - 1,
        "bytes": size,
        "sha256": digest.hexdigest(),
        "peak_mb": peak_kb / 1024,
    }


def _peak_rss_kb() -> int:
    """This process's peak resident set: VmHWM on Linux (reset by exec, unlike
    ru_maxrss, which keeps the peak of the process that forked us), else ru_maxrss."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    mode, ids = sys.argv[1], [int(i) for i in sys.argv[2].split(",")]
    print(json.dumps(measure(mode, ids)))


if __name__ == "__main__":
    main()
