"""Durable timers: schedule, cancel, and the pass that fires them.

A handler runs outside any claim transaction and must be idempotent (check state first): a
worker that dies mid-handler leaves its timer `running` until the lease expires, and then the
reaper queues it again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from yingji.engine.claims import claim_due, requeue_expired, retry_backoff
from yingji.engine.models import Timer, TimerStatus
from yingji.engine.registry import oldest_due, register_pass
from yingji.engine.wakeup import wake_engines

log = logging.getLogger("yingji.engine")

TIMER_BATCH = 100
TIMER_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {}


def register_timer_handler(
    name: str,
) -> Callable[[Callable[[dict[str, Any]], None]], Callable[[dict[str, Any]], None]]:
    def decorator(handler: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        HANDLERS[name] = handler
        return handler

    return decorator


def timer_schedule(
    *, key: str, handler: str, due_at: datetime, payload: dict[str, Any] | None = None
) -> Timer:
    """Schedule (or move) the timer named `key`. Call it inside the domain change's transaction
    so the deadline exists exactly when the change does."""
    timer, created = Timer.objects.get_or_create(
        key=key, defaults={"handler": handler, "due_at": due_at, "payload": payload or {}}
    )
    if not created:
        Timer.objects.filter(pk=timer.pk).exclude(status=TimerStatus.RUNNING).update(
            handler=handler,
            due_at=due_at,
            payload=payload or {},
            status=TimerStatus.QUEUED,
            attempts=0,
            last_error="",
            finished_at=None,
        )
        timer.refresh_from_db()
    if due_at <= timezone.now():  # due already: no need to wait for the next poll
        wake_engines()
    return timer


def timer_cancel(*, key: str) -> bool:
    """Cancel a timer that has not fired; True if one was cancelled."""
    return bool(
        Timer.objects.filter(key=key, status=TimerStatus.QUEUED).update(
            status=TimerStatus.CANCELLED, finished_at=timezone.now()
        )
    )


def _finish(timer: Timer, **fields: Any) -> None:
    # Conditioned on our claim: if our lease ran out and another worker re-claimed the timer,
    # its claim wins and this late write changes nothing.
    Timer.objects.filter(pk=timer.pk, claim_token=timer.claim_token).update(
        claim_token="", lease_until=None, **fields
    )


def _fire(timer: Timer, now: datetime) -> None:
    handler = HANDLERS.get(timer.handler)
    if handler is None:  # never dropped silently: the reason stays on the row
        _finish(
            timer,
            status=TimerStatus.FAILED,
            finished_at=now,
            last_error=f"no handler registered as {timer.handler!r}",
        )
        return
    try:
        with transaction.atomic():
            handler(timer.payload)
    except Exception as exc:  # the handler's failure is recorded and retried, never raised
        log.exception("timer %s failed (attempt %d)", timer.key, timer.attempts)
        if timer.attempts >= MAX_ATTEMPTS:
            _finish(
                timer,
                status=TimerStatus.FAILED,
                finished_at=timezone.now(),
                last_error=repr(exc)[:2000],
            )
        else:
            _finish(
                timer,
                status=TimerStatus.QUEUED,
                last_error=repr(exc)[:2000],
                due_at=timezone.now() + retry_backoff(timer.attempts),
            )
        return
    _finish(timer, status=TimerStatus.DONE, finished_at=timezone.now(), last_error="")


def _oldest_due_timer() -> datetime | None:
    return oldest_due(Timer.objects.filter(status=TimerStatus.QUEUED), "due_at")


@register_pass("engine.timers", oldest_due=_oldest_due_timer)
def fire_due_timers(cycle: Any) -> int:
    ids = claim_due(
        Timer,
        due=Q(status=TimerStatus.QUEUED, due_at__lte=cycle.now),
        order_by=("due_at",),
        claim={
            "status": TimerStatus.RUNNING,
            "lease_until": cycle.now + TIMER_LEASE,
            "attempts": F("attempts") + 1,
        },
        batch=TIMER_BATCH,
    )
    timers = {t.pk: t for t in Timer.objects.filter(pk__in=ids)}
    fired = 0
    for timer_id in ids:
        if cycle.stopping:  # hand back what we claimed but did not start
            Timer.objects.filter(pk__in=ids[fired:], status=TimerStatus.RUNNING).update(
                status=TimerStatus.QUEUED,
                claim_token="",
                lease_until=None,
                attempts=F("attempts") - 1,
            )
            break
        _fire(timers[timer_id], cycle.now)
        fired += 1
    return fired


@register_pass("engine.reaper")
def requeue_abandoned_timers(cycle: Any) -> int:
    return requeue_expired(
        Timer,
        expired=Q(status=TimerStatus.RUNNING, lease_until__lt=cycle.now),
        reset={"status": TimerStatus.QUEUED, "lease_until": None},
    )
