"""JSON from machines and people, read strictly enough for both databases: no NaN, Infinity or
number too large for a float (JSON has none of them; Python's reader accepts them, PostgreSQL's
jsonb refuses them), no NUL character (PostgreSQL text cannot hold one) and no lone surrogate
such as "\\ud800" (neither database can store it). The refusal says where (issue 15)."""

from __future__ import annotations

import json
import math
from typing import Any

from django.utils.translation import gettext as _


class NotStrictJSON(ValueError):
    def __init__(self, reason: str, path: str = "") -> None:
        self.reason, self.path = reason, path
        super().__init__(f"{path}: {reason}" if path else reason)


def strict_json(body: bytes | str) -> Any:
    """The parsed body, or NotStrictJSON (a ValueError) saying what and where. Malformed JSON,
    bad UTF-8 and nesting too deep are ValueErrors too."""
    try:
        value = json.loads(body, parse_constant=float)  # NaN and Infinity: refused below
    except RecursionError:
        raise NotStrictJSON(_("nested too deeply")) from None
    _check(value)
    return value


def _check(value: Any) -> None:
    """Walk the value without recursion (the parser already bounded its depth)."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, float) and not math.isfinite(item):
            raise NotStrictJSON(_("a number that is not finite or too large"), path or "$")
        elif isinstance(item, dict):
            for key, inner in item.items():
                _check_text(key, path or "$")
                stack.append((f"{path}.{key}" if path else key, inner))
        elif isinstance(item, list):
            stack.extend((f"{path}[{index}]", inner) for index, inner in enumerate(item))


def _check_text(text: str, path: str) -> None:
    if "\x00" in text:
        raise NotStrictJSON(_("a NUL character"), path or "$")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotStrictJSON(
            _("a lone surrogate (\\ud800-\\udfff) that is not text"), path or "$"
        ) from None


def describe(error: ValueError) -> str:
    """What to tell the sender about a body that is not (strict) JSON."""
    if isinstance(error, NotStrictJSON):
        where = f" ({_('at')} {error.path})" if error.path else ""
        return _("The body is not acceptable JSON: %(reason)s%(where)s.") % {
            "reason": error.reason,
            "where": where,
        }
    return _("The body is not JSON: %(reason)s.") % {"reason": str(error)[:200]}
