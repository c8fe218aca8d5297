"""Prometheus metrics, computed from the database at scrape time, so every web node reports
the same engine state however many workers run elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from yingji.engine.loop import discover_passes
from yingji.engine.models import PeriodicRun, Worker
from yingji.engine.queries import engine_health, pass_lag


class EngineCollector(Collector):
    def collect(self) -> Iterator[Any]:
        now = timezone.now()
        health = engine_health(now)
        yield GaugeMetricFamily(
            "yingji_engine_live_workers",
            "Engines with a heartbeat in the last 30 s",
            health.live_workers,
        )
        yield GaugeMetricFamily(
            "yingji_engine_heartbeat_age_seconds",
            "Seconds since the freshest engine heartbeat (-1: no engine has run)",
            -1 if health.last_cycle_age is None else health.last_cycle_age,
        )
        cycle = GaugeMetricFamily(
            "yingji_engine_cycle_seconds",
            "Duration of the last cycle per worker",
            labels=["worker"],
        )
        items = CounterMetricFamily(
            "yingji_engine_items", "Items handled per worker since it started", labels=["worker"]
        )
        for worker in Worker.objects.filter(stopped_at__isnull=True):
            cycle.add_metric([worker.worker_id], worker.last_cycle_ms / 1000)
            items.add_metric([worker.worker_id], worker.items)
        yield cycle
        yield items
        lag = GaugeMetricFamily(
            "yingji_engine_lag_seconds",
            "How long the oldest due item of a pass has waited",
            labels=["pass"],
        )
        for engine_pass in discover_passes().values():
            lag.add_metric([engine_pass.name], pass_lag(engine_pass, now))
        yield lag
        periodic = GaugeMetricFamily(
            "yingji_engine_periodic_last_run_timestamp_seconds",
            "When each periodic pass last finished",
            labels=["pass"],
        )
        for run in PeriodicRun.objects.exclude(last_finished_at=None):
            assert run.last_finished_at is not None
            periodic.add_metric([run.name], run.last_finished_at.timestamp())
        yield periodic
