"""What every API view shares: the mapping of domain errors to status codes, pagination,
throttles, the request-size limit, and the schema's common error bodies."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import JsonResponse
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
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
    return drf_exception_handler(exc, context)


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


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
FieldErrors = inline_serializer(
    "FieldErrors", {"field": serializers.ListField(child=serializers.CharField())}
)
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
