"""Heartbeats (dead man's switch): a job pings its URL; a ping that does not arrive in time
opens one critical alert, and the next ping resolves it. The clock is controlled."""

from datetime import UTC, datetime, timedelta

import time_machine

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.core.ratelimit import reset_budgets
from yingji.engine.loop import Engine
from yingji.intake import services
from yingji.intake.models import IncomingAlert
from yingji.notify.models import Message
from yingji.org.testing import CastTestCase

T0 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


class Heartbeats(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()
        with time_machine.travel(T0, tick=False):
            self.integration, self.key = services.integration_create(
                actor=SYSTEM,
                name="日终批处理",
                kind="heartbeat",
                heartbeat_seconds=3600,
                responsible=[self.executor_person],
            )
        self.url = f"/api/v1/intake/heartbeat/{self.key}"

    def at(self, minutes: int) -> datetime:
        return T0 + timedelta(minutes=minutes)

    def cycle(self, minutes: int) -> None:
        with time_machine.travel(self.at(minutes), tick=False):
            Engine().run_cycle()

    def test_a_missed_ping_opens_one_alert_and_the_next_ping_resolves_it(self):
        with time_machine.travel(self.at(30), tick=False):
            self.assertEqual(self.client.get(self.url).status_code, 202)
        self.cycle(89)  # due at 90
        self.assertFalse(IncomingAlert.objects.exists())
        self.cycle(91)
        self.cycle(120)  # still missing: still one alert
        alert = IncomingAlert.objects.get()
        self.assertEqual((alert.state, alert.urgency), ("triggered", "critical"))
        self.assertIn("日终批处理", alert.summary)
        self.assertEqual(Message.objects.filter(event="intake.triggered").count(), 1)
        with time_machine.travel(self.at(130), tick=False):
            self.assertEqual(self.client.post(self.url).status_code, 202)
        self.assertEqual(IncomingAlert.objects.get().state, "resolved")
        self.assertEqual(Message.objects.filter(event="intake.resolved").count(), 0)
        self.cycle(131)  # the engine tells the closing
        self.assertEqual(Message.objects.filter(event="intake.resolved").count(), 1)
        self.cycle(189)  # the next ping is due an hour after the last one
        self.assertEqual(IncomingAlert.objects.count(), 1)
        self.cycle(191)
        self.assertEqual(IncomingAlert.objects.filter(state="triggered").count(), 1)

    def test_a_heartbeat_never_pinged_is_missed_an_interval_after_creation(self):
        self.cycle(61)
        self.assertEqual(IncomingAlert.objects.filter(state="triggered").count(), 1)

    def test_wrong_keys_and_bad_intervals_are_refused(self):
        self.assertEqual(self.client.get("/api/v1/intake/heartbeat/yjk_wrong").status_code, 404)
        for seconds in (None, 59, 8 * 24 * 3600):
            with self.subTest(seconds=seconds), self.assertRaisesMessage(DomainError, "60 seconds"):
                services.integration_create(
                    actor=SYSTEM, name=f"hb {seconds}", kind="heartbeat", heartbeat_seconds=seconds
                )
        _other, am_key = services.integration_create(actor=SYSTEM, name="AM", kind="alertmanager")
        self.assertEqual(self.client.get(f"/api/v1/intake/heartbeat/{am_key}").status_code, 404)
