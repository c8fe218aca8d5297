"""Who else hears that a report became an emergency: an app that pages people on duty (on-call's
duty rosters of the leadership and expert groups) registers here; incidents calls each one
inside the escalation's transaction, by the head or by the 15-minute rule (R-RESP-2), and
never imports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ON_ESCALATED: list[Callable[[Any], None]] = []


def register_on_escalated(listener: Callable[[Any], None]) -> None:
    if listener not in ON_ESCALATED:
        ON_ESCALATED.append(listener)


def escalated(incident: Any) -> None:
    for listener in ON_ESCALATED:
        listener(incident)
