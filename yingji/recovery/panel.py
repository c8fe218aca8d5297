"""The incident page's after-phase panel: what is open and what is late, in a few numbers,
with the way to the after-phase page (R-REC-1..R-REV-2)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from yingji.recovery.choices import MEASURE_OPEN, PLAN_OPEN, PlanStatus, RebuildStatus
from yingji.recovery.models import AfterPhase, Measure


def incident_panel(request: HttpRequest, incident: Any) -> dict[str, Any] | None:
    """None before the end order (and for an incident without an after-phase)."""
    phase = AfterPhase.objects.filter(incident=incident).first()
    if phase is None:
        return None
    now = timezone.now()
    plans = incident.recovery_plans.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=PLAN_OPEN)),
        late=Count("pk", filter=Q(status=PlanStatus.DRAFT, due_at__lt=now)),
    )
    rebuild = incident.rebuild_items.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=RebuildStatus.OPEN)),
        late=Count("pk", filter=Q(status=RebuildStatus.OPEN, due_at__lt=now)),
    )
    measures = Measure.objects.filter(incident=incident).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=MEASURE_OPEN)),
        late=Count("pk", filter=Q(status__in=MEASURE_OPEN, due__lt=timezone.localdate())),
    )
    return {
        "incident": incident,
        "phase": phase,
        "plans": plans,
        "rebuild": rebuild,
        "measures": measures,
        "report": getattr(incident, "summary_report", None),
        "review": getattr(incident, "review", None),
    }
