"""R-RISK-1 on the clock: on the first day of each quarter (or the first hour the engine runs
in it) the quarter's campaign opens; owners are reminded before the due date and on it, and
an overdue assessment is escalated to the office once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yingji.engine.registry import register_pass
from yingji.risks import services


@register_pass("risks.quarter_open", every=timedelta(hours=1))
def open_quarter(cycle: Any) -> int:
    return 1 if services.open_quarter(timezone.localdate(cycle.now)) is not None else 0


@register_pass("risks.reminders", every=timedelta(hours=1))
def remind(cycle: Any) -> int:
    return services.remind_open_assessments(timezone.localdate(cycle.now))
