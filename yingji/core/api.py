"""API glue shared by every app: DomainError -> 4xx JSON, and the permission-aware base viewset."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from rest_framework import serializers, throttling
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from yingji.core.errors import DomainError
from yingji.core.jsonbody import describe, strict_json
from yingji.core.moments import EARLIEST_YEAR, LATEST_YEAR


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        # Someone else changed it first (a compare-and-swap lost): 409, reload and retry.
        status = 409 if exc.code == "conflict" else exc.status
        return Response(exc.as_dict(), status=status)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": "; ".join(exc.messages), "code": "invalid"}, status=400)
    if isinstance(exc, OverflowError):  # an id past what the database stores (SQLite: 2^63)
        return Response({"detail": _("A number is too large."), "code": "invalid"}, status=400)
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


class StrictJSONParser(JSONParser):
    """Every API body through the one strict reader: a lone surrogate or 1e999 is a 400 that
    says where, never a 500 from the database (issue 15)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return strict_json(stream.read() if stream is not None else b"")
        except ValueError as exc:
            raise ParseError(describe(exc)) from None


def data_object(request: Request) -> dict[str, Any]:
    """The body of an action that reads a few named fields: a JSON object, or 400."""
    if not isinstance(request.data, dict):
        raise DomainError(_("Send a JSON object with the fields named in the API docs."))
    return request.data


class MomentField(serializers.DateTimeField):
    """A date and time in the API, refused as the pages refuse it: year 0001 says which year
    is wrong (DRF would say "Datetime value out of range"); the window around now is the
    service's rule (core.moments)."""

    def to_internal_value(self, value: Any) -> Any:
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError as exc:
            year = str(value)[:4]
            if year.isdigit() and not EARLIEST_YEAR <= int(year) <= LATEST_YEAR:
                raise serializers.ValidationError(
                    _("%(year)04d is not a plausible year; check the date.") % {"year": int(year)}
                ) from exc
            raise


class ModelSerializer(serializers.ModelSerializer):
    """DRF's, except that a read-only choice that may be empty says so in the schema (DRF
    drops `allow_blank` from read-only fields, so "" was documented as impossible)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: MomentField,
    }

    def include_extra_kwargs(
        self, kwargs: MutableMapping[str, Any], extra_kwargs: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        blank_choice = bool(kwargs.get("allow_blank")) and "choices" in kwargs
        result = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank_choice:
            result["allow_blank"] = True
        return result
