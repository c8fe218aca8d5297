"""Alert intake benchmark: from an alert accepted (the 202 received by the sender) to its
first notice handed to the transport, at a steady 1,000 alerts/s.

    .venv/bin/python bench/bench_intake_latency.py        # embedded SQLite, temporary data dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/yingji_bench \\
        .venv/bin/python bench/bench_intake_latency.py    # PostgreSQL (the database is emptied)

Yingji runs as installed (`yingji serve`, web and engine in one process, on SQLite; `yingji
web` and `yingji worker` on PostgreSQL), with the demo organisation. The integration has no
escalation policy, so the engine tells its people (the emergency office) directly.
BENCH_SENDERS (4) connections post BENCH_RATE (1,000) alerts/s between them as Alertmanager
would, BENCH_PER_REQUEST (10) new alerts a request on a fixed schedule, for BENCH_SECONDS (20)
seconds. For each alert the latency runs from the sender's receipt of the 202 to the moment
the engine handed its notice to the transport: the alert's `told_at`, written in the
transaction that queues the notice (the in-app inbox has it then; e-mail and IM robots take
it from the outbox, measured by bench_notify.py).

Target (issue 7): p99 ≤ 1 s at 1,000 alerts/s.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import urllib3

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_intake import Yingji, webhook_payload, yingji  # noqa: E402

RATE = int(os.environ.get("BENCH_RATE", "1000"))
PER_REQUEST = int(os.environ.get("BENCH_PER_REQUEST", "10"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))
SENDERS = int(os.environ.get("BENCH_SENDERS", "4"))


def payload(request: int) -> bytes:
    body = webhook_payload(request)
    body["alerts"] = body["alerts"][:PER_REQUEST]
    return json.dumps(body).encode()


def send_steadily(url: str, headers: dict) -> dict[str, float]:
    """Post on a fixed schedule from SENDERS connections (as Alertmanager sends its groups
    side by side); the accepted time of every alert, by fingerprint."""
    requests = int(SECONDS * RATE / PER_REQUEST)
    gap = PER_REQUEST / RATE
    bodies = [payload(n) for n in range(requests)]
    accepted: dict[str, float] = {}
    began = time.monotonic()

    def sender(first: int) -> None:
        pool = urllib3.PoolManager(maxsize=1)
        for n in range(first, requests, SENDERS):
            time.sleep(max(0.0, began + n * gap - time.monotonic()))
            answer = pool.request("POST", url, body=bodies[n], headers=headers)
            assert answer.status == 202, (answer.status, answer.data[:300])
            at = time.time()
            for alert in json.loads(answer.data)["alerts"]:
                accepted[alert["dedup_key"]] = at

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    late = time.monotonic() - began - requests * gap
    print(
        f"sent {len(accepted):,} alerts in {requests:,} requests from {SENDERS} connections; "
        f"the senders ended {late:+.2f} s off their schedule"
    )
    return accepted


def told(env: dict, expected: int, wait: float = 30) -> dict[str, float]:
    """When each alert's notice was handed over, from the database once all are told."""
    code = (
        "from yingji.intake.models import IncomingAlert as A; import json; "
        "print(json.dumps({k: t.timestamp() for k, t in A.objects.filter("
        "told_at__isnull=False, integration__name__startswith='bench').values_list("
        "'dedup_key', 'told_at')}))"
    )
    deadline = time.monotonic() + wait
    while True:
        found = json.loads(yingji(env, "manage", "shell", "-c", code).splitlines()[-1])
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        time.sleep(1)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = Yingji(tmp, demo=True)
        try:
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {server.key}"}
            accepted = send_steadily(f"{server.base}/api/v1/intake/alertmanager", headers)
            handed = told(server.env, len(accepted))
        finally:
            server.stop()
    latencies = sorted(handed[k] - at for k, at in accepted.items() if k in handed)
    database = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"database: {database}; {len(latencies):,} of {len(accepted):,} alerts told")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"accepted → notice handed over: median {statistics.median(latencies) * 1000:,.0f} ms, "
        f"p99 {p99 * 1000:,.0f} ms, max {latencies[-1] * 1000:,.0f} ms   "
        "target: p99 ≤ 1,000 ms"
    )
    assert len(latencies) == len(accepted), "alerts never told"


if __name__ == "__main__":
    main()
