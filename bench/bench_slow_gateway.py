"""A hung SMS gateway beside a healthy chat robot (issue 15): how late are a critical notice
on the robot, and the 15-minute escalation, while the gateway holds its requests?

    .venv/bin/python bench/bench_slow_gateway.py      # embedded SQLite, temporary data dir

The gateway answers each request after GATEWAY_SECONDS (30 s, as in the fault-injection
probe); 40 notices wait for it. The engine runs as `yingji serve` runs it (a thread, 1 s
idle poll). Reference: the same two latencies with the gateway answering at once. Uses only
APIs that existed before sending lanes, so the script also measures the old code.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ.setdefault("YINGJI_DATA_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from yingji.core.actors import SYSTEM  # noqa: E402
from yingji.engine.loop import Engine  # noqa: E402
from yingji.incidents.models import Incident  # noqa: E402
from yingji.incidents.services import incident_report  # noqa: E402
from yingji.notify.services import channel_save, notify  # noqa: E402
from yingji.org.testing import build_cast  # noqa: E402

GATEWAY_SECONDS = float(os.environ.get("GATEWAY_SECONDS", "30"))
QUEUED = 40


class Receiver:
    """An HTTP peer that answers {"ok": true} after `delay` seconds and notes arrivals."""

    def __init__(self, delay: float) -> None:
        self.delay, self.arrived = delay, []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.arrived.append(time.monotonic())
                time.sleep(receiver.delay)
                body = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/h"


def channel(name: str, url: str):
    return channel_save(
        actor=SYSTEM,
        channel=None,
        name=name,
        kind="webhook",
        config={"url": url, "secret": "0123456789abcdef"},
    )


def run(gateway_delay: float, cast: dict) -> tuple[float, float]:
    gateway, robot = Receiver(gateway_delay), Receiver(0)
    slow, healthy = (
        channel(f"gw{gateway_delay}", gateway.url),
        channel(f"ok{gateway_delay}", robot.url),
    )
    for n in range(QUEUED):
        notify(event="note", title=f"全员通知{n}", channels=[slow])
    engine = Engine(idle_seconds=1.0)
    threading.Thread(target=engine.run_forever, daemon=True).start()
    while not gateway.arrived:  # the gateway has its first requests in hand
        time.sleep(0.01)
    started = time.monotonic()
    notify(event="note", title="核心交易告警", channels=[healthy])
    while not robot.arrived:
        time.sleep(0.01)
    critical = robot.arrived[0] - started
    with time_machine.travel(timezone.now() - timedelta(minutes=15) + timedelta(seconds=1)):
        incident = incident_report(
            actor=cast["staff"],
            title="核心系统中断",
            category="information_system",
            occurred_at=timezone.now(),
            symptoms="交易失败",
        )
    due = time.monotonic() + 1
    while Incident.objects.get(pk=incident.pk).status == "reported":
        time.sleep(0.02)
    escalation = time.monotonic() - due
    engine.stop.set()
    return critical, escalation


def main() -> None:
    call_command("migrate", verbosity=0)
    cast = build_cast()
    reference = run(0, cast)
    slow = run(GATEWAY_SECONDS, cast)
    print(
        f"gateway answering at once: critical notice {reference[0]:.2f} s, "
        f"escalation {reference[1]:.2f} s after due"
    )
    print(
        f"gateway answering after {GATEWAY_SECONDS:.0f} s: critical notice {slow[0]:.2f} s "
        f"({slow[0] / max(reference[0], 0.01):.1f}x), escalation {slow[1]:.2f} s after due"
    )
    os._exit(0)  # the hung gateway's threads need not be waited for


if __name__ == "__main__":
    main()
