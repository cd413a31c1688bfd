"""What every API view shares: the mapping of domain errors to status codes, pagination,
throttles, the request-size limit, and the schema's common error bodies."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage, Page
from django.core.paginator import Paginator as DjangoPaginator
from django.db import IntegrityError
from django.db.models import Count, Window
from django.http import JsonResponse
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from debates.errors import DomainError, InvalidInput, NotPermitted, StaleVersion, WrongStatus

STATUS_OF = {InvalidInput: 400, NotPermitted: 403, WrongStatus: 409, StaleVersion: 412}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, taught the domain's errors. A missing object (the selectors make
    "not yours" look the same) is 404; no error ever answers with a stack trace."""
    if isinstance(exc, DomainError):
        set_rollback()
        if isinstance(exc, InvalidInput) and exc.field:
            body: dict[str, Any] = {exc.field: [exc.message]}
        else:
            body = {"detail": exc.message}
        if isinstance(exc, StaleVersion):
            body["current_version"] = exc.current_version
        return Response(body, status=STATUS_OF.get(type(exc), 400))
    if isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    elif isinstance(exc, IntegrityError):
        # A race lost against a constraint the services check first: the input is
        # no longer valid against the stored record.
        exc = exceptions.ValidationError({"detail": "This conflicts with the stored record."})
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = field_errors(response.data)
    return response


def field_errors(detail: Any) -> dict[str, Any]:
    """A ValidationError's detail in the contract's shape, `{"field": ["message"]}` (or
    `{"detail": "..."}`). DRF nests the errors of a list's items (`{"languages": {1:
    [...]}}`) and of a many=True body (`[{}, {"outcome": [...]}]`); these are flattened
    onto their field, each message prefixed with the item it is about."""
    if isinstance(detail, dict) and isinstance(detail.get("detail"), str):
        return detail
    flat: dict[str, list[Any]] = {}
    _flatten(detail, "", "", flat)
    return flat


def _flatten(value: Any, field: str, prefix: str, out: dict[str, list[Any]]) -> None:
    if isinstance(value, dict):
        for key, sub in value.items():
            if isinstance(key, int) or str(key).isdigit():
                _flatten(sub, field, f"{prefix}Item {key}: ", out)
            else:
                _flatten(sub, f"{field}.{key}" if field else str(key), prefix, out)
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            if isinstance(sub, dict | list):
                _flatten(sub, field, f"{prefix}Item {index}: ", out)
            else:
                _flatten(sub, field, prefix, out)
    else:
        message = f"{prefix}{value}" if prefix else value
        out.setdefault(field or api_settings.NON_FIELD_ERRORS_KEY, []).append(message)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class WindowCountPagination(Pagination):
    """The same pages, whose total is read with the page: COUNT(*) OVER () in the page's
    own query, instead of a COUNT query first. For a list whose filter costs more than
    carrying its rows through a window (positions: readability is decided row by row),
    and only for querysets of values() rows. `?page=last` needs the count first, so it
    takes the default way."""

    def paginate_queryset(self, queryset, request, view=None):
        number = request.query_params.get(self.page_query_param) or 1
        if number in self.last_page_strings:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        size = self.get_page_size(request)
        try:
            offset = (int(number) - 1) * size
        except ValueError:
            offset = -1
        if offset < 0:
            raise exceptions.NotFound(self.invalid_page_message)
        rows = list(queryset.annotate(page_total=Window(Count("*")))[offset : offset + size])
        # No row: nothing to count on the first page, a page past the end on the others.
        total = rows[0]["page_total"] if rows else 0
        for row in rows:
            del row["page_total"]
        try:
            self.page = _KnownCountPaginator(total, size).page_of(rows, number)
        except InvalidPage:
            raise exceptions.NotFound(self.invalid_page_message) from None
        return rows


class _KnownCountPaginator(DjangoPaginator):
    count = 0  # given, not counted (shadows Paginator's cached query)

    def __init__(self, count: int, per_page: int) -> None:
        super().__init__([], per_page)
        self.count = count

    def page_of(self, rows: list, number) -> Page:
        return Page(rows, self.validate_number(number), self)


class RequestSizeLimitMiddleware:
    """Refuse request bodies over settings.API_MAX_BODY_BYTES with 413, before anything
    reads them (DRF reads the stream itself, past Django's own upload limits)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return JsonResponse({"detail": "Invalid Content-Length."}, status=400)
        if length > settings.API_MAX_BODY_BYTES:
            return JsonResponse(
                {"detail": f"Request body over {settings.API_MAX_BODY_BYTES} bytes."}, status=413
            )
        return self.get_response(request)


# Schema: the error bodies every endpoint may answer with.
Detail = inline_serializer("Detail", {"detail": serializers.CharField()})


class FieldErrors(serializers.Serializer):
    """The 400 body: messages per field name, or a single `detail`. Its schema comes from
    the extension below, as a serializer cannot say "any key"."""


class FieldErrorsSchema(OpenApiSerializerExtension):
    target_class = FieldErrors

    def map_serializer(self, auto_schema, direction):
        return {
            "type": "object",
            "description": 'Messages per input field, e.g. {"title": ["This field is '
            'required."]}; or {"detail": "..."} when no one field is at fault.',
            "properties": {"detail": {"type": "string"}},
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        }


Stale = inline_serializer(
    "StaleVersion",
    {"detail": serializers.CharField(), "current_version": serializers.IntegerField()},
)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    described = {
        400: OpenApiResponse(FieldErrors, "Invalid input: messages per field, or a detail."),
        401: OpenApiResponse(Detail, "No or bad credentials."),
        403: OpenApiResponse(Detail, "Visible to you, but you may not do this."),
        404: OpenApiResponse(Detail, "Does not exist, or you may not see it."),
        409: OpenApiResponse(Detail, "The session's status forbids this."),
        412: OpenApiResponse(Stale, "If-Match does not name the current version."),
        428: OpenApiResponse(Detail, "If-Match is required."),
        413: OpenApiResponse(Detail, "Request body too large."),
        429: OpenApiResponse(Detail, "Throttled."),
    }
    return {code: described[code] for code in codes}
