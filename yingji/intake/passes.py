"""The intake on the engine's clock: new alerts told and paged per group, and heartbeats
(an integration whose ping is overdue opens its alert)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yingji.engine.registry import oldest_due, register_pass
from yingji.intake import services
from yingji.intake.models import IncomingAlert, Integration

BATCH = 100


def _oldest_due() -> Any:
    return oldest_due(Integration.objects.filter(active=True), "next_beat_due_at")


def _oldest_notice_due() -> Any:
    return oldest_due(IncomingAlert.objects.all(), "notice_due_at")


@register_pass("intake.notices", oldest_due=_oldest_notice_due)
def tell_due_alerts(cycle: Any) -> int:
    """New alerts told and paged, grouped (services.tell_due)."""
    return services.tell_due(now=timezone.now())


@register_pass("intake.heartbeats", oldest_due=_oldest_due)
def raise_missed_heartbeats(cycle: Any) -> int:
    overdue = Integration.objects.filter(active=True, next_beat_due_at__lte=cycle.now)
    missed = 0
    for integration in overdue.order_by("next_beat_due_at")[:BATCH]:
        due = integration.next_beat_due_at
        if due is not None:
            missed += services.heartbeat_missed(
                integration=integration, due=due, now=timezone.now()
            )
    return missed
