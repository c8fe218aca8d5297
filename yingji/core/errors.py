"""The one error type services raise; web, API and CLI turn it into a 4xx with its message."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule said no. ``message`` is translated, meant for a person; ``field`` names the input."""

    status = 400

    def __init__(
        self,
        message: Any,
        code: str = "invalid",
        *,
        field: str | None = None,
        row: int | None = None,
    ):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field
        self.row = row

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"detail": str(self.message), "code": self.code}
        if self.field:
            data["field"] = self.field
        return data


class AccessDenied(DomainError):
    status = 403

    def __init__(self, message: Any, code: str = "forbidden"):
        super().__init__(message, code)


class FieldErrors(DomainError):
    """Several fields are wrong at once (from model validation)."""

    def __init__(self, errors: dict[str, list[str]]):
        first_field, messages = next(iter(errors.items()))
        super().__init__(
            messages[0], "invalid", field=None if first_field == "__all__" else first_field
        )
        self.errors = errors

    def as_dict(self) -> dict[str, Any]:
        return {"detail": str(self.message), "code": self.code, "errors": self.errors}
