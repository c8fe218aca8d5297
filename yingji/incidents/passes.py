"""The response flow on the clock: a report nobody judged in time is escalated (R-RESP-2),
a late progress report is chased (R-HANDLE-2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.engine.registry import oldest_due, register_pass
from yingji.engine.services import register_timer_handler
from yingji.incidents.choices import Status
from yingji.incidents.models import Incident
from yingji.incidents.services import (
    incident_chase_progress,
    incident_escalate_overdue,
    task_chase_overdue,
)

BATCH = 100


def _oldest(status: str, deadline: str) -> datetime | None:
    return oldest_due(Incident.objects.filter(status=status), deadline)


def _each_due(cycle: Any, status: str, deadline: str, step: Callable[[Incident], Any]) -> int:
    """A bounded batch in deadline order, each incident in its own transaction; a step
    someone else took first (a DomainError from the compare-and-swap) is skipped."""
    due = Incident.objects.filter(status=status, **{f"{deadline}__lte": cycle.now})
    done = 0
    for incident in due.select_related("department").order_by(deadline)[:BATCH]:
        if cycle.stopping:
            break
        try:
            with transaction.atomic():
                done += bool(step(incident))
        except DomainError:
            continue
    return done


@register_pass(
    "incidents.escalate_overdue", oldest_due=lambda: _oldest(Status.REPORTED, "escalate_by")
)
def escalate_overdue_reports(cycle: Any) -> int:
    """R-RESP-2: exactly one engine (or the head, at the last second) wins each report."""
    return _each_due(
        cycle,
        Status.REPORTED,
        "escalate_by",
        lambda i: incident_escalate_overdue(actor=SYSTEM, incident=i),
    )


@register_pass(
    "incidents.chase_progress", oldest_due=lambda: _oldest(Status.RESPONDING, "progress_due")
)
def chase_late_progress(cycle: Any) -> int:
    """R-HANDLE-2: a progress report is late by the response level's cadence; the people
    handling it are reminded once per missed report."""
    return _each_due(
        cycle,
        Status.RESPONDING,
        "progress_due",
        lambda i: incident_chase_progress(actor=SYSTEM, incident=i, now=cycle.now),
    )


@register_timer_handler("incidents.task_overdue")
def chase_overdue_task(payload: dict[str, Any]) -> None:
    """A task past its due time and still open: its assignee and the experts are told."""
    task_chase_overdue(task_id=int(payload["task"]))
