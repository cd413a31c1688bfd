"""Bench-only views (served only with BENCH=1, see bench/settings.py): the baselines
that do the least the same job can do, with no authentication, permission, audit or
outbox. Never part of the application."""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import F
from django.http import HttpResponseNotAllowed, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from bench.export import stream_stances_csv
from debates.models import Position, PositionVersion


@csrf_exempt
def bare_revise(request, pk: int):
    """Revise position `pk` as cheaply as the stack allows while the record stays valid:
    the conditional UPDATE that advances current_version from the version the client
    names (as If-Match does) and the INSERT of the version row, with the ORM, in one
    transaction. No authentication, permission, audit or outbox."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = json.loads(request.body or b"{}")
    based_on = int(body["based_on"])
    with transaction.atomic():
        won = Position.objects.filter(pk=pk, current_version=based_on).update(
            current_version=based_on + 1, updated_at=timezone.now()
        )
        if not won:
            return JsonResponse({"detail": "stale"}, status=412)
        PositionVersion.objects.create(
            position_id=pk,
            number=based_on + 1,
            text=body.get("text", ""),
            summary=body.get("summary", ""),
            visibility=body.get("visibility", "session"),
            author_id=int(body["author"]),
        )
    return JsonResponse({"version": based_on + 1})


def bare_positions(request):
    """The same rows as GET /api/v1/positions/?session=&page_size= for a reader who may
    read every version (the session's facilitator): a page of positions in the API's
    order, then their current versions, with values(); no count, no visibility rule."""
    session = int(request.GET["session"])
    size = int(request.GET.get("page_size", 100))
    page = int(request.GET.get("page", 1))
    positions = list(
        Position.objects.filter(delegation__session_id=session)
        .order_by("agenda_item__order", "delegation__party__code", "id")
        .values(
            "id",
            "delegation__session_id",
            "delegation_id",
            "delegation__party__code",
            "agenda_item_id",
            "current_version",
            "created_at",
        )[(page - 1) * size : page * size]
    )
    versions = {
        row["position_id"]: row
        for row in PositionVersion.objects.filter(
            position_id__in=[p["id"] for p in positions], number=F("position__current_version")
        ).values(
            "position_id",
            "number",
            "text",
            "summary",
            "red_lines",
            "proposed_language",
            "visibility",
            "author_id",
            "created_at",
        )
    }
    return JsonResponse({"results": [{**p, **versions.get(p["id"], {})} for p in positions]})


def stances_csv(request):
    """Every stance of the given sessions as CSV, streamed."""
    ids = [int(i) for i in request.GET["sessions"].split(",")]
    response = StreamingHttpResponse(stream_stances_csv(ids), content_type="text/csv")
    return response
