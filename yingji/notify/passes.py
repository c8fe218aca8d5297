"""The outbox: claim due deliveries, send with no transaction open, record each outcome."""

from __future__ import annotations

import functools
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from yingji.engine.claims import claim_due, requeue_expired
from yingji.engine.registry import register_pass
from yingji.engine.services import register_timer_handler
from yingji.notify.choices import DeliveryStatus
from yingji.notify.models import Channel, Delivery, Message
from yingji.notify.rendering import notice_for_delivery
from yingji.notify.services import (
    Outcome,
    admit,
    notify,
    receipts_escalate,
    record_outcomes,
    send_one,
)
from yingji.notify.transports import TRANSPORTS

OUTBOX_BATCH = 250
LEASE = timedelta(minutes=2)
# While sending a broadcast, how often to look for a targeted notice that should go first.
URGENT_LOOK_EVERY = 0.1


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
        order_by=("priority", "next_attempt_at"),
        claim={
            "status": DeliveryStatus.SENDING,
            "lease_until": cycle.now + LEASE,
            "attempts": F("attempts") + 1,
        },
        batch=OUTBOX_BATCH,
    )
    claimed = sorted(_load_claimed(ids), key=lambda d: (d.priority, d.pk))
    by_channel: dict[int | None, list[Delivery]] = {}
    for delivery in claimed:
        by_channel.setdefault(delivery.channel_id, []).append(delivery)
    admitted = []
    for group in by_channel.values():
        channel = group[0].channel
        assert channel is not None  # the outbox holds only channel deliveries
        admitted += admit(channel, group, cycle.now)
    admitted.sort(key=lambda d: (d.priority, d.pk))
    chunk = settings.SEND_CONCURRENCY
    hand_back_at = cycle.now + LEASE / 2  # slow robots must not outlast our lease
    look_again = time.monotonic() + URGENT_LOOK_EVERY
    for start in range(0, len(admitted), chunk):
        rest = admitted[start:]
        if cycle.stopping or timezone.now() >= hand_back_at:
            _hand_back(rest)
            break
        if rest[0].priority > 0 and time.monotonic() >= look_again:
            look_again = time.monotonic() + URGENT_LOOK_EVERY
            if _urgent_notice_waiting():  # the next cycle takes it before the broadcast
                _hand_back(rest)
                break
        _send_chunk(rest[:chunk])
    return len(ids)


def _load_claimed(ids: list[int]) -> list[Delivery]:
    """The claimed deliveries with their person; a broadcast's 250 deliveries share one
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
    "message", "person", "channel", "address", "status", "attempts", "priority",
    "claim_token", "receipt_token",
)  # fmt: skip


def _urgent_notice_waiting() -> bool:
    return Delivery.objects.filter(
        status=DeliveryStatus.QUEUED, priority=0, next_attempt_at__lte=timezone.now()
    ).exists()


def _hand_back(deliveries: list[Delivery]) -> None:
    """Return claimed deliveries we did not start to the queue, their attempt not counted."""
    Delivery.objects.filter(
        pk__in=[d.pk for d in deliveries], status=DeliveryStatus.SENDING
    ).update(
        status=DeliveryStatus.QUEUED,
        claim_token="",
        lease_until=None,
        attempts=F("attempts") - 1,
    )


@functools.cache
def _senders() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(settings.SEND_CONCURRENCY, thread_name_prefix="yingji-send")


@dataclass
class _Pace:
    answer_seconds: float  # moving average of one request, measured one at a time
    measured_at: float


# Side by side pays only when the far end is slow (a robot across the internet answers in
# tens of milliseconds); to a gateway on the LAN one after another is faster, because the
# threads would only take turns. Each channel's pace is measured on sends made one at a
# time, and re-measured with one such send when it is older than PROBE_EVERY seconds (the
# first request to a robot also opens the connection, so a first verdict of "slow" is
# often wrong).
FAST_ANSWER = 0.005
PROBE_EVERY = 2.0
_PACES: dict[int, _Pace] = {}


def _send_chunk(chunk: list[Delivery]) -> None:
    """Render here (the only thread that reads the database), send, record the chunk in one
    commit: a chunk is what a killed worker may repeat."""
    jobs = [(d, notice_for_delivery(d)) for d in chunk]
    outcomes = [_send_timed(*jobs.pop(i)) for i in _probes(jobs)]
    if any(_slow(d) for d, _notice in jobs):
        outcomes += _senders().map(lambda job: send_one(*job), jobs)
    else:
        outcomes += [_send_timed(*job) for job in jobs]
    record_outcomes(outcomes)


def _network_channel(delivery: Delivery) -> int | None:
    channel = delivery.channel
    return channel.pk if channel and TRANSPORTS[channel.kind].waits_on_network else None


def _probes(jobs: list[tuple[Delivery, Any]]) -> list[int]:
    """Positions (highest first, so popping keeps the others valid) of one delivery for each
    network channel whose pace is unknown or old."""
    now, first = time.monotonic(), {}
    for index, (delivery, _notice) in enumerate(jobs):
        channel = _network_channel(delivery)
        pace = _PACES.get(channel) if channel else None
        if (
            channel
            and channel not in first
            and (pace is None or now - pace.measured_at > PROBE_EVERY)
        ):
            first[channel] = index
    return sorted(first.values(), reverse=True)


def _slow(delivery: Delivery) -> bool:
    channel = _network_channel(delivery)
    pace = _PACES.get(channel) if channel else None
    return channel is not None and (pace is None or pace.answer_seconds >= FAST_ANSWER)


def _send_timed(delivery: Delivery, notice: Any) -> Outcome:
    started = time.monotonic()
    outcome = send_one(delivery, notice)
    channel = _network_channel(delivery)
    if channel:
        now = time.monotonic()
        took, pace = now - started, _PACES.get(channel)
        fresh = pace is not None and now - pace.measured_at <= PROBE_EVERY
        average = 0.7 * pace.answer_seconds + 0.3 * took if fresh and pace else took
        _PACES[channel] = _Pace(average, now)
    return outcome


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
