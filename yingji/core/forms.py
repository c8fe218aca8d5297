"""Forms in front of services: the form checks the shape, the service the rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms

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


class FilterForm(forms.Form):
    """A list's filters, read from the query string. Each filled field narrows the rows by
    its lookup in `lookups` (default: the field's name) or by a method `filter_<name>(rows,
    value)`; invalid input is ignored rather than an error, so a stale link still opens.
    Apply it to what the user may see: the access path comes first."""

    lookups: ClassVar[dict[str, str]] = {}

    def apply(self, rows: Any) -> Any:
        if not self.is_valid():
            return rows
        for name, value in self.cleaned_data.items():
            if value in (None, "", [], ()):
                continue
            method = getattr(self, f"filter_{name}", None)
            if method is not None:
                rows = method(rows, value)
            else:
                rows = rows.filter(**{self.lookups.get(name, name): value})
        return rows
