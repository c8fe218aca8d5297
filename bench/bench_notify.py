"""Engine and notification benchmarks: figures and the ratio to a floor measured in the same run.

    .venv/bin/python bench/bench_notify.py          # embedded SQLite in a temporary data dir
    YINGJI_DATABASE_URL=postgres://... YINGJI_SECRET_KEY=x .venv/bin/python bench/bench_notify.py

Sends go over HTTP to a local SMS gateway (bench/receiver.py, its own process).

Targets (issue 3): broadcast to 10,000 people queued in <= 2 s and sent at >= 2,000
deliveries/s; commit-to-send latency p99 <= 1 s while the broadcast drains; with 100,000
pending deadlines, due timers fire with p99 lateness <= 2 s and a cycle costs the same as with
none pending.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

os.environ.setdefault("YINGJI_DATA_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from yingji.core.actors import SYSTEM  # noqa: E402
from yingji.engine.loop import Engine  # noqa: E402
from yingji.engine.models import Timer  # noqa: E402
from yingji.engine.services import register_timer_handler  # noqa: E402
from yingji.notify.models import Channel, Delivery  # noqa: E402
from yingji.notify.services import broadcast_send, channel_save, notify  # noqa: E402
from yingji.notify.tests.peers import Robot  # noqa: E402
from yingji.notify.transports import http_pool  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from receiver import Receiver  # noqa: E402

from yingji.org.models import Department, Person  # noqa: E402

PEOPLE = 10_000
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))  # engine threads draining the broadcast
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "0"))  # or `yingji worker` processes
FIRED: dict[str, float] = {}


@register_timer_handler("bench.fire")
def fire(payload: dict) -> None:
    FIRED[payload["key"]] = time.time() - payload["due"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def make_people() -> None:
    department = Department.objects.create(code="BENCH", name="压测部")
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"b{n}", password="!") for n in range(PEOPLE)], batch_size=2000
    )
    Person.objects.bulk_create(
        [
            Person(
                user=u,
                full_name=f"压测{n}",
                employee_no=f"B{n:06d}",
                department=department,
                email=f"b{n}@example.com",
                mobile=f"139{n:08d}",
            )
            for n, u in enumerate(users)
        ],
        batch_size=2000,
    )


def floor_insert_seconds(rows: int) -> float:
    """The physical floor for queueing: bare inserts of as many outbox rows, nothing else."""
    message = notify(event="floor", title="floor")
    start = time.perf_counter()
    Delivery.objects.bulk_create(
        [Delivery(message=message, receipt_token=f"floor{n}") for n in range(rows)], batch_size=1000
    )
    elapsed = time.perf_counter() - start
    Delivery.objects.filter(message=message).delete()
    return elapsed


def floor_update_rate(rows: int = 3000) -> float:
    """The floor for sending: one conditional UPDATE per delivery, the least a record costs."""
    ids = list(Delivery.objects.values_list("pk", flat=True)[:rows])
    start = time.perf_counter()
    for pk in ids:
        Delivery.objects.filter(pk=pk, claim_token="").update(last_error="")
    return len(ids) / (time.perf_counter() - start)


def floor_post_rate(url: str, posts: int = 2000) -> float:
    """The floor for sending over HTTP: bare POSTs of a small JSON body to the same receiver
    from this process, through the same kept-alive client, with the engine's number of
    threads; nothing else."""
    body = b'{"to":"13900000000","text":"floor"}'
    with ThreadPoolExecutor(settings.SEND_CONCURRENCY) as pool:
        start = time.perf_counter()
        list(pool.map(lambda _n: http_pool().request("POST", url, body=body), range(posts)))
        return posts / (time.perf_counter() - start)


def slow_robot_rate(deliveries: int = 400, delay: float = 0.05) -> float:
    """Sends/s from one engine to a robot that answers after `delay` (a robot across the
    internet); one at a time the ceiling would be 1 / delay."""
    slow = Receiver(delay=delay).start()
    channel = Channel.objects.get(name="sms")
    channel.config["url"] = f"{slow.url}/sms"
    channel.save(update_fields=["config"])
    ids = list(Delivery.objects.filter(channel=channel).values_list("pk", flat=True)[:deliveries])
    Delivery.objects.filter(pk__in=ids).update(
        status="queued", next_attempt_at=timezone.now(), claim_token="", attempts=0
    )
    engine = Engine()
    start = time.perf_counter()
    drain(engine)
    elapsed = time.perf_counter() - start
    slow.stop()
    return len(ids) / elapsed


def drain(engine: Engine) -> None:
    while engine.run_cycle():
        pass


def main() -> None:
    call_command("migrate", "--noinput", "-v", "0")
    make_people()
    robot = Robot(replies=[(200, {"ok": True})]).start()  # the single notices' webhook
    gateway = Receiver().start()  # a fast one, in its own process
    channel_save(  # everyone's personal notice goes out over HTTP to a local SMS gateway
        actor=SYSTEM,
        channel=None,
        name="sms",
        kind="sms",
        personal=True,
        per_minute=1_000_000,  # the gateway's own limit, not a robot's
        config={
            "url": f"{gateway.url}/sms",
            "body_template": '{"to":"{{mobile}}","text":"{{text}}"}',
        },
    )
    hook = channel_save(
        actor=SYSTEM,
        channel=None,
        name="hook",
        kind="webhook",
        config={"url": f"{robot.url}/h", "secret": "0123456789abcdef"},
    )

    floor_queue = floor_insert_seconds(2 * PEOPLE)
    start = time.perf_counter()
    broadcast_send(actor=SYSTEM, title="压测广播", body="", require_receipt=True)
    queued = time.perf_counter() - start
    outgoing = Delivery.objects.filter(status="queued").count()

    engines = [Engine(idle_seconds=0.05) for _ in range(0 if PROCESSES else WORKERS)]
    threads = [threading.Thread(target=e.run_forever, daemon=True) for e in engines]
    workers = [_worker_process() for _ in range(PROCESSES)]
    sent_start = time.perf_counter()
    for thread in threads:
        thread.start()
    while not Delivery.objects.filter(status="sent", channel__isnull=False).exists():
        robot.wait_for_requests(10**9, timeout=0.05)  # until the engines are up and draining
    latencies = []
    for n in range(40):  # single notices committed while the broadcast drains
        committed = time.time()
        notify(event="latency", title=f"L{n}", channels=[hook])
        robot.wait_for_requests(n + 1, timeout=30)
        latencies.append(time.time() - committed)
    while Delivery.objects.filter(status__in=["queued", "sending"]).exists():
        robot.wait_for_requests(10**9, timeout=0.2)  # an interruptible wait, not a deadline
    send_seconds = time.perf_counter() - sent_start
    for engine, thread in zip(engines, threads, strict=True):
        engine.stop.set()
        thread.join()
    for worker in workers:
        worker.terminate()  # SIGTERM: the worker finishes its item and exits
        worker.wait(timeout=30)
    update_floor = floor_update_rate()
    post_floor = floor_post_rate(f"{gateway.url}/sms")
    slow_rate = slow_robot_rate()

    # Timers: cycle cost with and without 100,000 not-yet-due deadlines, and lateness.
    idle = Engine()
    empty_cycle = statistics.median([_timed(idle.run_cycle) for _ in range(60)])
    far = timezone.now() + timedelta(days=30)
    Timer.objects.bulk_create(
        [
            Timer(key=f"far{n}", handler="bench.fire", due_at=far, payload={})
            for n in range(100_000)
        ],
        batch_size=5000,
    )
    loaded_cycle = statistics.median([_timed(idle.run_cycle) for _ in range(60)])
    # Written in one statement, so the time it takes to schedule them is not counted as
    # lateness (500 timer_schedule calls take seconds on a slow disk).
    base = time.time() + 1
    Timer.objects.bulk_create(
        [
            Timer(
                key=f"due{n}",
                handler="bench.fire",
                payload={"key": f"due{n}", "due": base + n * 0.01},
                due_at=datetime.fromtimestamp(base + n * 0.01, tz=UTC),
            )
            for n in range(500)
        ]
    )
    timer_engine = Engine(idle_seconds=0.05)
    timer_thread = threading.Thread(target=timer_engine.run_forever, daemon=True)
    timer_thread.start()
    while len(FIRED) < 500:
        robot.wait_for_requests(10**9, timeout=0.2)
    timer_engine.stop.set()
    timer_thread.join()
    robot.stop()
    gateway.stop()

    lateness = list(FIRED.values())
    rate = outgoing / send_seconds
    report = [
        f"database: {connection.vendor}; people: {PEOPLE}; draining: "
        f"{f'{PROCESSES} worker processes' if PROCESSES else f'{WORKERS} engine thread(s)'}",
        f"broadcast queued: {queued:.2f} s for {Delivery.objects.count()} deliveries; floor "
        f"(bare inserts of as many rows) {floor_queue:.2f} s; ratio {queued / floor_queue:.1f}",
        f"broadcast sent: {outgoing} in {send_seconds:.2f} s = {rate:,.0f}/s; floors: "
        f"one UPDATE each {update_floor:,.0f}/s, bare HTTP POSTs from one process "
        f"{post_floor:,.0f}/s; ratio to the lower {rate / min(update_floor, post_floor):.2f}",
        f"to a robot answering after 50 ms: {slow_rate:,.0f}/s from one engine "
        f"(one at a time: at most 20/s; YINGJI_SEND_CONCURRENCY={settings.SEND_CONCURRENCY})",
        f"commit-to-send latency during the broadcast: p50 {_ms(percentile(latencies, 0.5))},"
        f" p99 {_ms(percentile(latencies, 0.99))}",
        f"engine cycle with nothing due: {_ms(empty_cycle)} with no pending timers, "
        f"{_ms(loaded_cycle)} with 100,000 (ratio {loaded_cycle / empty_cycle:.2f})",
        f"timer lateness, 500 timers due 10 ms apart: p50 {_ms(percentile(lateness, 0.5))},"
        f" p99 {_ms(percentile(lateness, 0.99))}",
    ]
    print("\n".join(report))


def _worker_process() -> subprocess.Popen:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings['NAME']}"
    else:
        url = (
            f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        )
    env = {**os.environ, "YINGJI_DATABASE_URL": url, "YINGJI_SECRET_KEY": "bench"}
    return subprocess.Popen(
        [sys.executable, "-m", "yingji.cli", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _timed(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
