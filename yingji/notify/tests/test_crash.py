"""kill -9 of a worker in the middle of sending loses nothing: after its lease, another engine
sends every delivery, and only the chunk that was in flight may arrive twice (one delivery
with YINGJI_SEND_CONCURRENCY=1)."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import time_machine
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from yingji.engine.loop import Engine
from yingji.notify.choices import DeliveryStatus
from yingji.notify.models import Delivery
from yingji.notify.passes import LEASE
from yingji.notify.services import notify
from yingji.notify.tests.peers import robot_behind_webhook

PROJECT = Path(__file__).resolve().parents[3]


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


class AWorkerKilledMidSend(TransactionTestCase):
    def test_one_at_a_time_only_the_item_in_flight_repeats(self):
        self.kill_mid_send(concurrency=1)

    def test_side_by_side_only_the_chunk_in_flight_repeats(self):
        self.kill_mid_send(concurrency=8)

    def kill_mid_send(self, concurrency: int) -> None:
        robot, channel = robot_behind_webhook(self, hold_first=True)
        for n in range(20):
            notify(event="note", title=f"n{n}", channels=[channel])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("YINGJI_", "DJANGO_"))}
        env.update(
            YINGJI_DATABASE_URL=database_url(),
            YINGJI_SECRET_KEY="crash-test",
            YINGJI_SEND_CONCURRENCY=str(concurrency),
        )
        worker = subprocess.Popen(
            [sys.executable, "-m", "yingji.cli", "worker"],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.addCleanup(worker.kill)
        self.assertTrue(robot.first_request.wait(timeout=60), "the worker never sent anything")
        os.kill(worker.pid, signal.SIGKILL)  # mid-send: the first request is still unanswered
        worker.wait(timeout=10)
        robot.release.set()
        in_flight = Delivery.objects.filter(status=DeliveryStatus.SENDING).count()
        self.assertGreaterEqual(in_flight, 1)  # claimed by the dead worker, under its lease

        engine = Engine()
        with time_machine.travel(timezone.now() + LEASE / 2, tick=False):
            engine.run_cycle()
        # what the dead worker had not claimed goes now; what it claimed waits for its lease
        self.assertEqual(
            Delivery.objects.filter(status=DeliveryStatus.SENT).count(), 20 - in_flight
        )
        with time_machine.travel(timezone.now() + LEASE + timedelta(seconds=1), tick=False):
            while engine.run_cycle():
                pass
        self.assertEqual(Delivery.objects.filter(status=DeliveryStatus.SENT).count(), 20)
        robot.wait_for_requests(21, timeout=5)  # the held request completes in its thread
        ids = [r.json["delivery"] for r in robot.received]
        all_ids = sorted(Delivery.objects.values_list("pk", flat=True))
        repeated = {i for i in ids if ids.count(i) > 1}
        self.assertEqual(set(ids), set(all_ids), f"received {sorted(ids)}")  # nothing lost
        # Only the chunk the dead worker was sending may arrive twice (requests that got
        # through before the kill but were not yet recorded); every other one exactly once.
        in_flight_chunk = set(all_ids[:concurrency])
        self.assertLessEqual(len(ids), 20 + concurrency, f"received {sorted(ids)}")
        self.assertTrue(repeated <= in_flight_chunk, f"repeated {repeated}")
