"""The response flow on the clock: a report nobody judged in time is escalated (R-RESP-2),
a late progress report is chased (R-HANDLE-2)."""

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
from yingji.incidents.services import incident_chase_progress, incident_escalate_overdue

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


def _oldest_progress_due() -> datetime | None:
    return (
        Incident.objects.filter(status=Status.RESPONDING, progress_due__lte=timezone.now())
        .order_by("progress_due")
        .values_list("progress_due", flat=True)
        .first()
    )


@register_pass("incidents.chase_progress", oldest_due=_oldest_progress_due)
def chase_late_progress(cycle: Any) -> int:
    """R-HANDLE-2: a progress report is late by the response level's cadence; the people
    handling it are reminded once per missed report."""
    late = Incident.objects.filter(status=Status.RESPONDING, progress_due__lte=cycle.now)
    chased = 0
    for incident in late.select_related("department").order_by("progress_due")[:BATCH]:
        if cycle.stopping:
            break
        with transaction.atomic():
            chased += incident_chase_progress(actor=SYSTEM, incident=incident, now=cycle.now)
    return chased
