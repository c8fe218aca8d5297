"""R-RESP-2 on the clock: a report nobody judged in time is escalated by the engine."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.engine.registry import register_pass
from yingji.incidents.choices import Status
from yingji.incidents.models import Incident
from yingji.incidents.services import incident_escalate_overdue

BATCH = 100


def _oldest_overdue() -> datetime | None:
    return (
        Incident.objects.filter(status=Status.REPORTED, escalate_by__lte=timezone.now())
        .order_by("escalate_by")
        .values_list("escalate_by", flat=True)
        .first()
    )


@register_pass("incidents.escalate_overdue", oldest_due=_oldest_overdue)
def escalate_overdue_reports(cycle: Any) -> int:
    """Each overdue report in its own transaction; the transition's compare-and-swap lets
    exactly one engine (or the head, at the last second) win."""
    overdue = Incident.objects.filter(status=Status.REPORTED, escalate_by__lte=cycle.now)
    escalated = 0
    for incident in overdue.order_by("escalate_by")[:BATCH]:
        if cycle.stopping:
            break
        try:
            with transaction.atomic():
                incident_escalate_overdue(actor=SYSTEM, incident=incident)
        except DomainError:  # judged or escalated meanwhile: nothing to do
            continue
        escalated += 1
    return escalated
