"""Monitoring benchmark: rule evaluation over many series.

    .venv/bin/python bench/bench_rules.py            # embedded SQLite, temporary data dir

BENCH_SERIES (10,000) series each get a sample every 15 s for BENCH_ROUNDS (8) rounds; one
rule ("cpu_percent > 90 for 60 s") covers them all and is evaluated once a round, as the
engine would. Each round's evaluation is timed in CPU seconds (this process) and wall time.

Target (issue 6): 10,000 series evaluated every 15 s take < 25% of one core, i.e. under
3.75 CPU seconds per evaluation. Reference: the same round's ingest of the samples.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import timedelta

os.environ.setdefault("YINGJI_DATA_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from yingji.core.actors import SYSTEM  # noqa: E402
from yingji.monitoring import services  # noqa: E402
from yingji.monitoring.models import Alert  # noqa: E402
from yingji.monitoring.services.ingest import SampleRow, labels_key  # noqa: E402

SERIES = int(os.environ.get("BENCH_SERIES", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "8"))
EVERY = 15.0


def main() -> None:
    call_command("migrate", verbosity=0)
    asset = services.asset_create(actor=SYSTEM, code="BENCH", name="bench", kind="server")
    start = timezone.now() - timedelta(seconds=EVERY * (ROUNDS + 1))
    rule = services.rule_create(
        actor=SYSTEM,
        name="cpu",
        metric="cpu_percent",
        operator=">",
        threshold=90,
        for_seconds=60,
        severity="minor",
    )
    ingest, cpu, wall = [], [], []
    for r in range(ROUNDS):
        at = start + timedelta(seconds=EVERY * r)
        # every 100th series runs hot, so alerts open during the run
        rows = [
            SampleRow(
                "cpu_percent",
                labels_key({"core": str(i)}),
                (("core", str(i)),),
                at,
                95.0 if i % 100 == 0 else 20.0,
            )
            for i in range(SERIES)
        ]
        began = time.perf_counter()
        for chunk in range(0, SERIES, 1000):
            services.samples_ingest(asset=asset, rows=rows[chunk : chunk + 1000])
        ingest.append(time.perf_counter() - began)
        cpu_began, wall_began = time.process_time(), time.perf_counter()
        services.rule_evaluate(rule=rule, now=at + timedelta(seconds=1))
        cpu.append(time.process_time() - cpu_began)
        wall.append(time.perf_counter() - wall_began)
    steady = cpu[1:]  # the first round creates every series' state
    print(f"database: {connection.vendor}, {SERIES:,} series, {ROUNDS} rounds")
    print(f"ingest of a round: median {statistics.median(ingest):.2f} s")
    print(
        f"evaluation: first round {cpu[0]:.2f} CPU s; then median {statistics.median(steady):.2f}"
        f" CPU s, {statistics.median(wall[1:]):.2f} s wall"
    )
    share = statistics.median(steady) / EVERY
    print(f"share of one core at one evaluation per {EVERY:.0f} s: {share:.0%}   target: < 25%")
    print(f"alerts opened: {Alert.objects.count()} (expected {len(range(0, SERIES, 100))})")


if __name__ == "__main__":
    main()
