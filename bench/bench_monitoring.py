"""Monitoring benchmark: push ingest, measured end to end through POST /api/v1/metrics.

    .venv/bin/python bench/bench_monitoring.py            # embedded SQLite, temporary data dir
    YINGJI_DATABASE_URL=postgres://... YINGJI_SECRET_KEY=x \
        .venv/bin/python bench/bench_monitoring.py

BENCH_BATCHES (100) batches of BENCH_BATCH (1,000) samples, over BENCH_SERIES (1,000) series,
sent as an agent sends them (JSON, bearer token) through Django's test client, so parsing,
validation, the series lookup, the bulk insert and the latest-value update are all counted.

Target (issue 6): >= 100,000 samples/s on SQLite, with the same-run ratio to a bare insert
of the same rows (executemany on the same connection, no validation, no series upkeep).
"""

from __future__ import annotations

import json
import os
import tempfile
import time

os.environ.setdefault("YINGJI_DATA_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
os.environ.setdefault("YINGJI_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from yingji.core.actors import SYSTEM  # noqa: E402
from yingji.monitoring import services  # noqa: E402
from yingji.monitoring.models import Sample, Series  # noqa: E402

BATCHES = int(os.environ.get("BENCH_BATCHES", "100"))
BATCH = int(os.environ.get("BENCH_BATCH", "1000"))
SERIES = int(os.environ.get("BENCH_SERIES", "1000"))


def batches(start: float) -> list[bytes]:
    bodies = []
    for b in range(BATCHES):
        at = start + b
        samples = [
            {
                "metric": "cpu_percent",
                "labels": {"core": str(i % SERIES)},
                "value": (b * 7 + i) % 100,
                "at": at,
            }
            for i in range(BATCH)
        ]
        bodies.append(json.dumps({"samples": samples}).encode())
    return bodies


def push_rate(token: str) -> float:
    client = Client()
    bodies = batches(time.time() - BATCHES - 60)
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/metrics", bodies[0], content_type="application/json", headers=headers)
    started = time.perf_counter()
    for body in bodies[1:]:
        answer = client.post(
            "/api/v1/metrics", body, content_type="application/json", headers=headers
        )
        assert answer.status_code == 202, answer.content
    return (len(bodies) - 1) * BATCH / (time.perf_counter() - started)


def bare_rate(series_ids: list[int]) -> float:
    """The same number of rows straight into the samples table."""
    table = Sample._meta.db_table
    sql = f"INSERT INTO {table} (series_id, at, value) VALUES (%s, %s, %s)"  # noqa: S608

    now = timezone.now()
    started = time.perf_counter()
    for b in range(BATCHES - 1):
        rows = [(series_ids[i % len(series_ids)], now, float(b + i)) for i in range(BATCH)]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    return (BATCHES - 1) * BATCH / (time.perf_counter() - started)


def main() -> None:
    call_command("migrate", verbosity=0)
    asset = services.asset_create(actor=SYSTEM, code="BENCH", name="bench", kind="server")
    token = services.agent_token_issue(actor=SYSTEM, asset=asset)
    pushed = push_rate(token)
    stored = Sample.objects.filter(series__asset=asset).count()
    assert stored == BATCHES * BATCH, stored
    bare = bare_rate(list(Series.objects.filter(asset=asset).values_list("pk", flat=True)))
    print(f"database: {connection.vendor}")
    print(
        f"push ingest: {pushed:,.0f} samples/s ({BATCHES - 1} batches of {BATCH:,}, "
        f"{SERIES:,} series), all {stored:,} stored"
    )
    print(f"bare insert of the same rows: {bare:,.0f} rows/s")
    print(f"ratio push / bare: {pushed / bare:.2f}   target: >= 100,000 samples/s on SQLite")


if __name__ == "__main__":
    main()
