"""Who sees incoming alerts, and the reads the pages and API share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from yingji.core.access import one_of
from yingji.intake.models import IncomingAlert, Integration
from yingji.monitoring.queries import can_read, require_manager


def visible_incoming(user: Any) -> QuerySet[IncomingAlert]:
    """The same audience as monitoring: everyone inside the organisation."""
    if not can_read(user):
        return IncomingAlert.objects.none()
    return IncomingAlert.objects.select_related("integration", "acknowledged_by__person")


def get_incoming_for(user: Any, pk: Any) -> IncomingAlert:
    return one_of(visible_incoming(user), pk)


def visible_integrations(user: Any) -> QuerySet[Integration]:
    """Integrations: read inside the organisation, not by vendors (R-SCOPE-2)."""
    return Integration.objects.all() if can_read(user) else Integration.objects.none()


def get_integration_for(user: Any, pk: Any, *, write: bool = False) -> Integration:
    integration = one_of(visible_integrations(user), pk)
    if write:
        require_manager(user)
    return integration


# Preliminary grade of an emergency report (incidents.Grade) from an alert's severity.
REPORT_GRADE = {"critical": "I", "error": "II", "warning": "III", "info": "IV"}


def report_initial(user: Any, alert_id: Any) -> dict[str, Any]:
    """ "Report as emergency" (R-RESP-1/3) from an incoming alert the user can see: when,
    what, from which source, how severe."""
    try:
        alert = get_incoming_for(user, alert_id)
    except Http404:
        return {}
    details = "; ".join(f"{k}: {v}" for k, v in alert.details.items() if isinstance(v, str))
    return {
        "title": alert.summary[:200],
        "category": "information_system",
        "occurred_at": timezone.localtime(alert.started_at).strftime("%Y-%m-%dT%H:%M"),
        "symptoms": f"{alert.summary}\n{details}".strip()[:2000],
        "severity": alert.grade or REPORT_GRADE.get(alert.urgency, ""),
        "affected_systems": alert.source,
    }
