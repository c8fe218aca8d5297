"""What the engine reports about itself: for /healthz, /metrics and the admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from yingji.engine.models import Worker
from yingji.engine.registry import EnginePass

STALE_AFTER = timedelta(seconds=30)  # heartbeats come every 5 s; 30 s of silence is a stuck engine


@dataclass
class EngineHealth:
    status: str  # "ok", "stale" or "none"
    live_workers: int
    last_cycle_age: float | None  # seconds since the freshest heartbeat


def engine_health(now: datetime | None = None) -> EngineHealth:
    now = now or timezone.now()
    running = Worker.objects.filter(stopped_at__isnull=True)
    freshest = running.order_by("-last_cycle_at").values_list("last_cycle_at", flat=True).first()
    if freshest is None:
        return EngineHealth("none", 0, None)
    live = running.filter(last_cycle_at__gte=now - STALE_AFTER).count()
    age = (now - freshest).total_seconds()
    return EngineHealth("ok" if live else "stale", live, age)


def pass_lag(engine_pass: EnginePass, now: datetime) -> float:
    """Seconds the oldest due item of a pass has waited (0 when nothing is overdue)."""
    if engine_pass.oldest_due is None:
        return 0.0
    oldest = engine_pass.oldest_due()
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
