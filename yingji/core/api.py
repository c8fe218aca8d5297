"""API glue shared by every app: DomainError -> 4xx JSON, and the permission-aware base viewset."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, throttling
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from yingji.core.errors import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        # Someone else changed it first (a compare-and-swap lost): 409, reload and retry.
        status = 409 if exc.code == "conflict" else exc.status
        return Response(exc.as_dict(), status=status)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": "; ".join(exc.messages), "code": "invalid"}, status=400)
    return drf_exception_handler(exc, context)


class _LiveRates:
    """Read the rate from the current settings on each request (DRF caches it at import), so
    YINGJI_API_*_RATE and test overrides take effect without mutating class attributes."""

    def get_rate(self) -> str | None:
        from rest_framework.settings import api_settings

        rate = api_settings.DEFAULT_THROTTLE_RATES.get(getattr(self, "scope", ""))
        return str(rate) if rate else None


class AnonRateThrottle(_LiveRates, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_LiveRates, throttling.UserRateThrottle):
    pass


def validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The request's data checked by `serializer_class` (400 with the fields' errors)."""
    checked = serializer_class(data=request.data)
    checked.is_valid(raise_exception=True)
    return dict(checked.validated_data)
