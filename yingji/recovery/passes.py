"""The after-phase on the clock: the sweep that opens it for incidents ended without one, the
reminders and overdue chasing, and the monthly digest (R-REC-1..R-REV-2)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from yingji.engine.registry import register_pass
from yingji.recovery.services import opening, reminders


@register_pass("recovery.open_after_phases", every=timedelta(minutes=5))
def open_after_phases(cycle: Any) -> int:
    return opening.open_missing()


@register_pass("recovery.reminders", every=timedelta(hours=1), oldest_due=reminders.oldest_due)
def remind(cycle: Any) -> int:
    return reminders.remind(cycle.now)


@register_pass("recovery.digest", every=timedelta(hours=1))
def digest(cycle: Any) -> int:
    return reminders.digest(cycle.now)
