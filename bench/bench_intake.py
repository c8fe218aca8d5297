"""Alert intake benchmark: Yingji's Alertmanager webhook against a real Alertmanager's own
`POST /api/v2/alerts`, side by side in one run on one machine.

    .venv/bin/python bench/bench_intake.py              # embedded SQLite, temporary data dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench \
        .venv/bin/python bench/bench_intake.py          # PostgreSQL (the database is emptied)

Both servers run as installed (Yingji: `yingji serve` on SQLite; `yingji web` with one worker
process and `yingji worker` on PostgreSQL) and are sent the same alerts over HTTP from one
client connection with keep-alive, one request at a time: BENCH_BATCHES (100) batches of
BENCH_ALERTS (100) alerts,
- distinct: every batch new alerts (new label sets, so new fingerprints);
- repeated: the same batch again and again (Alertmanager's group resends).
Yingji answers 202 only after the batch is committed; the run ends by counting the stored
alerts, which must equal the distinct alerts sent (durable and deduplicated).

Targets (issue 7): >= 1.0x Alertmanager on SQLite for both cases, >= 0.5x on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import urllib3

BATCHES = int(os.environ.get("BENCH_BATCHES", "100"))
ALERTS = int(os.environ.get("BENCH_ALERTS", "100"))
HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))

from yingji.monitoring.tests.peers import free_port  # noqa: E402


def wait_ready(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib3.request("GET", url, timeout=1, retries=False).status == 200:
                return
        except urllib3.exceptions.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} never answered")


def alertmanager_alerts(batch: int) -> list[dict]:
    now = datetime.now(UTC).isoformat()
    return [
        {
            "labels": {
                "alertname": "BenchAlert",
                "instance": f"host-{batch}-{i}",
                "severity": "warning",
            },
            "annotations": {"summary": f"bench alert {batch}/{i}"},
            "startsAt": now,
        }
        for i in range(ALERTS)
    ]


def webhook_payload(batch: int) -> dict:
    alerts = [
        {
            **alert,
            "status": "firing",
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": f"{batch:08x}{i:08x}",
        }
        for i, alert in enumerate(alertmanager_alerts(batch))
    ]
    return {
        "version": "4",
        "status": "firing",
        "receiver": "yingji",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "",
        "alerts": alerts,
    }


def rate(pool: urllib3.PoolManager, url: str, bodies: list[bytes], headers: dict) -> float:
    pool.request("POST", url, body=bodies[0], headers=headers)  # warm-up, not counted
    started = time.perf_counter()
    for body in bodies[1:]:
        answer = pool.request("POST", url, body=body, headers=headers)
        assert answer.status in (200, 202), (answer.status, answer.data[:300])
    return (len(bodies) - 1) * ALERTS / (time.perf_counter() - started)


def start_alertmanager(tmp: str) -> tuple[subprocess.Popen, str]:
    program = shutil.which("prometheus-alertmanager")
    if program is None:
        raise SystemExit("apt-get install prometheus-alertmanager")
    config = Path(tmp, "am.yml")
    config.write_text("route:\n  receiver: none\nreceivers:\n  - name: none\n")
    port = free_port()
    process = subprocess.Popen(
        [
            program,
            f"--config.file={config}",
            f"--storage.path={tmp}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(f"{base}/-/ready")
    return process, base


def yingji(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "yingji.cli", *args],
        env=env,
        cwd=HERE,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


class Yingji:
    """Yingji as installed: `yingji serve` (web and engine in one process) on SQLite;
    `yingji web` with one worker process and `yingji worker` beside it on PostgreSQL (the
    scale mode: one web node, its engine in a process of its own)."""

    def __init__(self, tmp: str, *, demo: bool = False) -> None:
        self.env = {
            **os.environ,
            "YINGJI_DATA_DIR": tmp,
            "YINGJI_INTAKE_RATE": "10000000/minute",
            "YINGJI_SECRET_KEY": "bench-only-secret-key-bench-only-secret-key",
        }
        scale = bool(os.environ.get("BENCH_DATABASE_URL"))
        if scale:
            self.env["YINGJI_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
            yingji(self.env, "manage", "migrate", "--noinput", "-v", "0")
            yingji(self.env, "manage", "flush", "--noinput")
        yingji(self.env, "manage", "migrate", "--noinput", "-v", "0")
        if demo:
            yingji(self.env, "demo")
        self.key = yingji(
            self.env,
            "integration",
            "create",
            "--kind",
            "alertmanager",
            "--name",
            f"bench {time.time()}",
        )
        port = free_port()
        web = ["web", "--workers", "1"] if scale else ["serve"]
        self.processes = [self._start(*web, "--port", str(port))]
        if scale:
            self.processes.append(self._start("worker"))
        self.base = f"http://127.0.0.1:{port}"
        wait_ready(f"{self.base}/healthz")

    def _start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "yingji.cli", *args],
            env=self.env,
            cwd=HERE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=30)


def stored_alerts(env: dict) -> int:
    code = (
        "from yingji.intake.models import IncomingAlert as A; print(A.objects.count(), "
        "A.objects.values('integration', 'dedup_key').distinct().count())"
    )
    rows, distinct = yingji(env, "manage", "shell", "-c", code).split()[-2:]
    return int(rows) if rows == distinct else -1


def main() -> None:
    pool = urllib3.PoolManager(maxsize=1)
    json_headers = {"Content-Type": "application/json"}
    with tempfile.TemporaryDirectory() as am_tmp, tempfile.TemporaryDirectory() as yj_tmp:
        am, am_base = start_alertmanager(am_tmp)
        yj = Yingji(yj_tmp)
        env = yj.env
        try:
            am_url, yj_url = f"{am_base}/api/v2/alerts", f"{yj.base}/api/v1/intake/alertmanager"
            yj_headers = {**json_headers, "Authorization": f"Bearer {yj.key}"}
            distinct_am = [json.dumps(alertmanager_alerts(b)).encode() for b in range(BATCHES)]
            distinct_yj = [json.dumps(webhook_payload(b)).encode() for b in range(BATCHES)]
            same_am = [json.dumps(alertmanager_alerts(10**6)).encode()] * BATCHES
            same_yj = [json.dumps(webhook_payload(10**6)).encode()] * BATCHES
            figures = {
                "distinct": (
                    rate(pool, am_url, distinct_am, json_headers),
                    rate(pool, yj_url, distinct_yj, yj_headers),
                ),
                "repeated": (
                    rate(pool, am_url, same_am, json_headers),
                    rate(pool, yj_url, same_yj, yj_headers),
                ),
            }
        finally:
            yj.stop()
            am.terminate()
            am.wait(timeout=30)
        stored = stored_alerts(env)
    database = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"database: {database}; {BATCHES - 1} batches of {ALERTS} alerts, one connection")
    for case, (am_rate, yj_rate) in figures.items():
        print(
            f"{case:>9}: Alertmanager {am_rate:>8,.0f} alerts/s   Yingji {yj_rate:>8,.0f} "
            f"alerts/s   ratio {yj_rate / am_rate:.2f}"
        )
    expected = BATCHES * ALERTS + ALERTS
    print(f"stored and deduplicated: {stored:,} of {expected:,} distinct alerts sent")
    assert stored == expected, "lost or duplicated alerts"


if __name__ == "__main__":
    main()
