"""Forms in front of services: the form checks the shape, the service the rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yingji.core.errors import DomainError, FieldErrors


def save_form(form: Any, save: Callable[[dict[str, Any]], Any]) -> Any | None:
    """Run a service with the form's data; a rule's refusal becomes the form's errors."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except FieldErrors as exc:
        for name, errors in exc.errors.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
    return None
