"""A hung gateway slows only itself (issue 15, R-RESP-2 and R-ACT-2: people are told in time).

Before sending lanes, the engine's cycle waited for the gateway (up to half the 2-minute
lease), and the 15-minute escalation and critical notices to healthy robots waited with it."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import time_machine
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from yingji.engine.loop import Engine
from yingji.incidents.choices import Status
from yingji.incidents.models import Incident
from yingji.incidents.services import incident_report
from yingji.notify.services import notify
from yingji.notify.tests.peers import robot_behind_webhook
from yingji.org.testing import build_cast

# What the engine takes when nothing is slow: one idle poll (1 s) at most, plus the cycle.
USUAL_LATENCY = 2.0


@override_settings(SEND_WAIT_MS=200)  # production's wait, not the tests' synchronous one
class AHungGatewayBesideAHealthyRobot(TransactionTestCase):
    def setUp(self) -> None:
        self.cast = build_cast()
        self.gateway, self.gateway_channel = robot_behind_webhook(self, "gateway", hold_all=True)
        self.robot, self.robot_channel = robot_behind_webhook(self, "dingtalk-ops")
        self.addCleanup(self.gateway.release.set)  # before the robots' cleanups drain the lanes

    def start_engine(self) -> Engine:
        engine = Engine(idle_seconds=1.0)

        def run() -> None:
            try:
                engine.run_forever()
            finally:
                connection.close()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.addCleanup(thread.join, 30)
        self.addCleanup(engine.stop.set)
        return engine

    def test_escalation_and_critical_notices_keep_their_usual_latency(self):
        for n in range(40):  # a broadcast's worth queued to the gateway, which never answers
            notify(event="note", title=f"全员通知{n}", channels=[self.gateway_channel])
        self.start_engine()
        self.assertTrue(self.gateway.first_request.wait(timeout=10))

        started = time.monotonic()
        critical = notify(event="note", title="核心交易告警", channels=[self.robot_channel])
        self.assertTrue(self.robot.wait_for_requests(1, timeout=30))
        self.assertLess(time.monotonic() - started, USUAL_LATENCY)
        self.assertEqual(self.robot.received[0].json["delivery"], critical.deliveries.get().pk)

        # a report whose 15 minutes run out one second from now, while the gateway still hangs
        with time_machine.travel(timezone.now() - timedelta(minutes=15) + timedelta(seconds=1)):
            incident = incident_report(
                actor=self.cast["staff"],
                title="核心系统中断",
                category="information_system",
                occurred_at=timezone.now(),
                symptoms="交易失败",
            )
        due = time.monotonic() + 1
        escalated = Incident.objects.filter(pk=incident.pk, status=Status.ESCALATED)
        while not escalated.exists() and time.monotonic() < due + 30:
            time.sleep(0.05)
        self.assertTrue(escalated.exists())
        self.assertLess(time.monotonic() - due, USUAL_LATENCY)
        self.assertFalse(self.gateway.received)  # it hung all along
