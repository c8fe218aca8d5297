"""Service calls from POST buttons: the outcome becomes a flash message on the next page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest

from yingji.core.errors import AccessDenied, DomainError

T = TypeVar("T")


def flash_outcome(request: HttpRequest, call: Callable[[], T], success: Any) -> T | None:
    """Run `call`; on success flash `success` and return its result, on a rule's refusal
    flash the rule's message and return None. Access denied stays a 403."""
    try:
        result = call()
    except AccessDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return None
    messages.success(request, success)
    return result
