"""The outbox: claim due deliveries, send with no transaction open, record each outcome."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from yingji.engine.claims import claim_due, requeue_expired
from yingji.engine.registry import oldest_due, register_pass
from yingji.engine.services import register_timer_handler
from yingji.notify import lanes
from yingji.notify.choices import DeliveryStatus
from yingji.notify.models import Channel, Delivery, Message
from yingji.notify.rendering import notice_for_delivery
from yingji.notify.services import (
    admit,
    notify,
    receipts_escalate,
    record_outcomes,
    send_one,
)

OUTBOX_BATCH = 250
LEASE = timedelta(minutes=2)
LOOK_EVERY = 0.1  # seconds between looks for new work while the lanes send


def _oldest_due() -> datetime | None:
    return oldest_due(Delivery.objects.filter(status=DeliveryStatus.QUEUED), "next_attempt_at")


@register_pass("notify.outbox", oldest_due=_oldest_due)
def send_due_deliveries(cycle: Any) -> int:
    """Record what the lanes sent and keep every channel's lane fed, for at most
    SEND_WAIT_MS: a slow channel never holds timers or escalations. While waiting, a targeted
    notice queued meanwhile is claimed within LOOK_EVERY and overtakes a broadcast."""
    _record_finished(wait=0)
    claimed = _feed_lanes(cycle)
    give_up_at = time.monotonic() + settings.SEND_WAIT_MS / 1000
    while lanes.chunks_held() and (left := give_up_at - time.monotonic()) > 0:
        _record_finished(wait=min(left, LOOK_EVERY))
        claimed += _feed_lanes(cycle)
    return claimed


def _feed_lanes(cycle: Any) -> int:
    claimed, now = 0, timezone.now()  # not the cycle's start: this looks again while it waits
    for urgent in (True, False):
        for channel_id in _due_channels(now, urgent=urgent):
            if cycle.stopping:
                return claimed
            claimed += _claim_for_lane(channel_id, now, urgent=urgent)
    return claimed


def _due(now: datetime, urgent: bool) -> Q:
    due = Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now)
    return due & Q(priority=0) if urgent else due


def _due_channels(now: datetime, *, urgent: bool) -> list[int]:
    """Channels with due deliveries whose lane has room, most urgent first; bounded by the
    batch, so a long queue costs one short read."""
    due = (
        Delivery.objects.filter(_due(now, urgent), channel__isnull=False)
        .exclude(channel_id__in=lanes.full_channels(urgent=urgent))
        .order_by("priority", "next_attempt_at")
        .values_list("channel_id", flat=True)
    )
    return list(dict.fromkeys(due[:OUTBOX_BATCH]))


def _claim_for_lane(channel_id: int, now: datetime, *, urgent: bool) -> int:
    """Claim as many of the channel's due deliveries as its lane has room for, admit them
    against its budget and hand them in, rendered, in chunks."""
    chunk = settings.SEND_CONCURRENCY
    ids = claim_due(
        Delivery,
        due=_due(now, urgent) & Q(channel_id=channel_id),
        order_by=("priority", "next_attempt_at"),
        claim={
            "status": DeliveryStatus.SENDING,
            "lease_until": now + LEASE,
            "attempts": F("attempts") + 1,
        },
        batch=lanes.room(channel_id, urgent=urgent) * chunk,
    )
    claimed = sorted(_load_claimed(ids), key=lambda d: (d.priority, d.pk))
    if not claimed:
        return 0
    channel = claimed[0].channel
    assert channel is not None  # the outbox holds only channel deliveries
    admitted = admit(channel, claimed, now)
    start_before = now + LEASE / 2  # the lease is our promise: what has not started goes back
    for start in range(0, len(admitted), chunk):
        part = admitted[start : start + chunk]
        lanes.hand_in(
            channel_id,
            [(d, notice_for_delivery(d)) for d in part],
            priority=part[0].priority,
            start_before=start_before,
            send=send_one,
        )
    return len(ids)


def _record_finished(*, wait: float) -> int:
    """Record the chunks the lanes finished (waiting at most `wait` for the first), each in
    one commit."""
    recorded = 0
    while (finished := lanes.take_finished(wait)) is not None:
        record_outcomes(finished.sent)
        _hand_back(finished.unsent)
        recorded += len(finished.sent) + len(finished.unsent)
        wait = 0
    return recorded


def _load_claimed(ids: list[int]) -> list[Delivery]:
    """The claimed deliveries with their person; a broadcast's deliveries share one
    message and a few channels, so those are read once each, not joined into every row."""
    deliveries = list(
        Delivery.objects.filter(pk__in=ids)
        .select_related("person")
        .only(*DELIVERY_FIELDS, "person__language")
    )
    messages = Message.objects.in_bulk({d.message_id for d in deliveries})
    channels = Channel.objects.in_bulk({d.channel_id for d in deliveries if d.channel_id})
    for delivery in deliveries:
        delivery.message = messages[delivery.message_id]
        delivery.channel = channels.get(delivery.channel_id) if delivery.channel_id else None
    return deliveries


# What sending reads of a delivery (its error and answer columns are only written).
DELIVERY_FIELDS = (
    "message",
    "person",
    "channel",
    "address",
    "status",
    "attempts",
    "priority",
    "claim_token",
    "receipt_token",
)


def _hand_back(deliveries: list[Delivery]) -> None:
    """Return claimed deliveries we did not start to the queue, their attempt not counted."""
    if not deliveries:
        return
    Delivery.objects.filter(
        pk__in=[d.pk for d in deliveries],
        status=DeliveryStatus.SENDING,
        claim_token=deliveries[0].claim_token,
    ).update(
        status=DeliveryStatus.QUEUED,
        claim_token="",
        lease_until=None,
        attempts=F("attempts") - 1,
    )


def send_canary(cycle: Any) -> int:
    """A synthetic notice through every canary channel, once per interval across all workers."""
    channels = list(Channel.objects.filter(canary=True, enabled=True))
    if not channels:
        return 0
    stamp = timezone.localtime(cycle.now).strftime("%Y-%m-%d %H:%M")
    notify(
        event="canary",
        context={"time": stamp},
        channels=channels,
        key=f"canary:{cycle.now:%Y%m%d%H%M}",
    )
    return 1


@register_timer_handler("notify.escalate_receipts")
def escalate_receipts(payload: dict[str, Any]) -> None:
    message = Message.objects.filter(pk=payload["message"]).first()
    if message is not None:  # a deleted notice needs no reminder
        receipts_escalate(message=message, step=int(payload["step"]))


if settings.CANARY_MINUTES:
    register_pass("notify.canary", every=timedelta(minutes=settings.CANARY_MINUTES))(send_canary)


@register_pass("notify.reaper")
def requeue_abandoned_deliveries(cycle: Any) -> int:
    return requeue_expired(
        Delivery,
        expired=Q(status=DeliveryStatus.SENDING, lease_until__lt=cycle.now),
        reset={"status": DeliveryStatus.QUEUED, "lease_until": None},
    )
