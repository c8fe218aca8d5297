"""JSON from machines, read strictly enough for both databases: no NaN or Infinity (JSON
has neither, Python's reader accepts them, PostgreSQL's jsonb refuses them) and no NUL
character (PostgreSQL text cannot hold one)."""

from __future__ import annotations

import json
from typing import Any


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def strict_json(body: bytes) -> Any:
    """The parsed body; ValueError (UnicodeDecodeError, RecursionError included) if it is
    not strict JSON."""
    if b"\\u0000" in body.lower():
        raise ValueError("NUL characters are not accepted")
    return json.loads(body, parse_constant=_refuse_constant)
