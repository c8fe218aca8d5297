"""Passes register here from each app's `passes` module; the engine knows nothing else of them.

A pass is a small idempotent function over due rows: it handles a bounded batch in deadline
order and returns how many items it handled (0 = nothing was due), so the loop knows whether
to sleep. Periodic passes run once per period across all workers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class EnginePass:
    name: str
    run: Callable[[Any], int]  # receives the Cycle
    every: timedelta | None = None  # periodic passes only
    oldest_due: Callable[[], datetime | None] | None = None  # for the lag metric


PASSES: dict[str, EnginePass] = {}


def register_pass(
    name: str,
    *,
    every: timedelta | None = None,
    oldest_due: Callable[[], datetime | None] | None = None,
) -> Callable[[Callable[[Any], int]], Callable[[Any], int]]:
    def decorator(run: Callable[[Any], int]) -> Callable[[Any], int]:
        PASSES[name] = EnginePass(name=name, run=run, every=every, oldest_due=oldest_due)
        return run

    return decorator


def oldest_due(rows: Any, column: str) -> datetime | None:
    """The earliest `column` at or before now among `rows` (a queryset): how far behind a
    pass is, for /metrics. Every pass's `oldest_due` is this over its own due rows."""
    from django.utils import timezone

    due = rows.filter(**{f"{column}__lte": timezone.now()})
    result: datetime | None = due.order_by(column).values_list(column, flat=True).first()
    return result
