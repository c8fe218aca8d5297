"""Who sees incoming alerts, and the reads the pages and API share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from yingji.intake.models import IncomingAlert
from yingji.monitoring.queries import may_read


def visible_incoming(user: Any) -> QuerySet[IncomingAlert]:
    """The same audience as monitoring: everyone inside the organisation."""
    if not may_read(user):
        return IncomingAlert.objects.none()
    return IncomingAlert.objects.select_related("integration", "acknowledged_by__person")


def get_incoming_for(user: Any, pk: Any) -> IncomingAlert:
    try:
        return visible_incoming(user).get(pk=int(pk))
    except (IncomingAlert.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
