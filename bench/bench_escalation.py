"""Escalation benchmark: how late a due escalation step runs while 100,000 other escalations
are open (issue 7: step due → sent, p99 <= 2 s with 100,000 open escalations).

    .venv/bin/python bench/bench_escalation.py          # embedded SQLite, temporary data dir
    YINGJI_DATABASE_URL=postgres://... YINGJI_SECRET_KEY=x \
        .venv/bin/python bench/bench_escalation.py

It loads the demo organisation, opens BENCH_OPEN (100,000) alerts whose escalations are due
in a month, then BENCH_DUE (300) escalations due 20 ms apart from one second on, and runs
one engine thread. Lateness is the time from a step's due time to its notice being queued
in the outbox (the engine's own transport sends it from there; bench_notify.py measures
that part). The engine's idle cycle is timed with and without the 100,000.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("YINGJI_DATA_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from yingji.core.actors import SYSTEM  # noqa: E402
from yingji.engine.loop import Engine  # noqa: E402
from yingji.intake import services, store  # noqa: E402
from yingji.intake.models import Integration  # noqa: E402
from yingji.intake.store import AlertRow  # noqa: E402
from yingji.notify.models import Message  # noqa: E402
from yingji.oncall.escalation import policy_create, snapshot  # noqa: E402
from yingji.oncall.models import Escalation  # noqa: E402
from yingji.org.demo import load_demo  # noqa: E402
from yingji.org.models import Person  # noqa: E402

OPEN = int(os.environ.get("BENCH_OPEN", "100000"))
DUE = int(os.environ.get("BENCH_DUE", "300"))


def open_alerts(integration: Integration, prefix: str, count: int, now: datetime) -> list:
    alerts = [
        AlertRow(
            integration_id=integration.pk,
            dedup_key=f"{prefix}{n}",
            summary="bench",
            state="triggered",
            urgency="warning",
            source="",
            labels={},
            details={},
            link="",
            started_at=now,
            last_received_at=now,
        )
        for n in range(count)
    ]
    for start in range(0, count, 5000):
        store.insert(alerts[start : start + 5000])
    return alerts


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(call: object) -> float:
    started = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - started


def main() -> None:
    call_command("migrate", verbosity=0)
    load_demo()
    head = Person.objects.get(user__username="head")
    policy = policy_create(
        actor=SYSTEM, name=f"bench {time.time()}", steps=[{"target": "person", "person": head}]
    )
    integration, _key = services.integration_create(
        actor=SYSTEM, name=f"bench {time.time()}", kind="pagerduty"
    )
    steps, now = snapshot(policy), timezone.now()
    idle = Engine()
    idle.run_cycle()
    empty = statistics.median([timed(idle.run_cycle) for _ in range(30)])
    far = now + timedelta(days=30)
    for start in range(0, OPEN, 5000):
        chunk = open_alerts(integration, f"open{start}-", min(5000, OPEN - start), now)
        rows = [
            Escalation(alert_id=a.pk, policy_name=policy.name, steps=steps, next_at=far)
            for a in chunk
        ]
        Escalation.objects.bulk_create(rows, batch_size=5000)
    loaded = statistics.median([timed(idle.run_cycle) for _ in range(30)])
    base = time.time() + 1
    due_alerts = open_alerts(integration, "due", DUE, now)
    Escalation.objects.bulk_create(
        [
            Escalation(
                alert_id=a.pk,
                policy_name=policy.name,
                steps=steps,
                next_at=datetime.fromtimestamp(base + n * 0.02, tz=UTC),
            )
            for n, a in enumerate(due_alerts)
        ]
    )
    due = {
        e.pk: e.next_at for e in Escalation.objects.filter(alert_id__in=[a.pk for a in due_alerts])
    }
    engine = Engine(idle_seconds=0.05)
    thread = threading.Thread(target=engine.run_forever, daemon=True)
    thread.start()
    deadline = time.time() + 300
    while Message.objects.filter(event="oncall.page").count() < DUE and time.time() < deadline:
        time.sleep(0.2)
    engine.stop.set()
    thread.join()
    queued = {
        int(m.key.split(":")[1]): m.created_at for m in Message.objects.filter(event="oncall.page")
    }
    lateness = [(queued[pk] - at).total_seconds() for pk, at in due.items() if pk in queued]
    print(f"database: {connection.vendor}; open escalations: {OPEN:,}; due steps: {DUE}")
    print(
        f"engine idle cycle: {empty * 1000:.1f} ms with none open, {loaded * 1000:.1f} ms with "
        f"{OPEN:,} (ratio {loaded / empty:.2f})"
    )
    p50, p99 = percentile(lateness, 0.5) * 1000, percentile(lateness, 0.99) * 1000
    print(
        f"step due → notice queued: {len(lateness)} of {DUE}; p50 {p50:.0f} ms, "
        f"p99 {p99:.0f} ms   target: p99 <= 2 s"
    )


if __name__ == "__main__":
    main()
