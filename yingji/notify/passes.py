"""The outbox: claim due deliveries, send with no transaction open, record each outcome."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from yingji.engine.claims import claim_due, requeue_expired
from yingji.engine.registry import register_pass
from yingji.notify.choices import DeliveryStatus
from yingji.notify.models import Delivery
from yingji.notify.services import deliver

OUTBOX_BATCH = 100
LEASE = timedelta(minutes=2)


def _oldest_due() -> datetime | None:
    return (
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


@register_pass("notify.outbox", oldest_due=_oldest_due)
def send_due_deliveries(cycle: Any) -> int:
    ids = claim_due(
        Delivery,
        due=Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=cycle.now),
        order_by="next_attempt_at",
        claim={
            "status": DeliveryStatus.SENDING,
            "lease_until": cycle.now + LEASE,
            "attempts": F("attempts") + 1,
        },
        batch=OUTBOX_BATCH,
    )
    claimed = Delivery.objects.filter(pk__in=ids).select_related("channel", "message")
    for index, delivery in enumerate(sorted(claimed, key=lambda d: d.pk)):
        if cycle.stopping:  # hand back what we claimed but did not start
            Delivery.objects.filter(pk__in=ids[index:], status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.QUEUED,
                claim_token="",
                lease_until=None,
                attempts=F("attempts") - 1,
            )
            break
        deliver(delivery, timezone.now())
    return len(ids)


@register_pass("notify.reaper")
def requeue_abandoned_deliveries(cycle: Any) -> int:
    return requeue_expired(
        Delivery,
        expired=Q(status=DeliveryStatus.SENDING, lease_until__lt=cycle.now),
        reset={"status": DeliveryStatus.QUEUED, "lease_until": None},
    )
