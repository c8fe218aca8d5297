"""POST /v2/enqueue with PagerDuty's Events API v2 semantics, exactly: the same key updates
the open alert; after resolve a new trigger opens a new alert; acknowledge or resolve for an
unknown key is ignored; a trigger without a key always opens a new alert."""

import json
from typing import Any

from yingji.core.actors import SYSTEM
from yingji.core.ratelimit import reset_budgets
from yingji.intake import services
from yingji.intake.models import IncomingAlert
from yingji.intake.tests.engine import tell
from yingji.notify.models import Message
from yingji.org.testing import CastTestCase

# The example event of PagerDuty's Events API v2 documentation, with our routing key.
EXAMPLE: dict[str, Any] = {
    "payload": {
        "summary": "DISK at 99% on machine prod-datapipe03.example.com",
        "timestamp": "2015-07-17T08:42:58.315+0000",
        "severity": "critical",
        "source": "prod-datapipe03.example.com",
        "component": "mysql",
        "group": "prod-datapipe",
        "class": "disk",
        "custom_details": {"free space": "1%", "ping time": "1500ms", "load avg": 0.75},
    },
    "event_action": "trigger",
    "dedup_key": "srv01/mysql",
    "client": "Sample Monitoring Service",
    "client_url": "https://monitoring.service.com",
}


class PagerDutyEvents(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()
        self.integration, self.key = services.integration_create(
            actor=SYSTEM, name="Zabbix 机房", kind="pagerduty", responsible=[self.executor_person]
        )

    def send(self, event: dict, key: str | None = None):
        body = {**event, "routing_key": key or self.key}
        answer = self.client.post("/v2/enqueue", json.dumps(body), content_type="application/json")
        tell()  # the engine's next cycle
        return answer

    def test_the_documentation_example_opens_one_alert_and_tells_the_engineer(self):
        answer = self.send(EXAMPLE)
        self.assertEqual(answer.status_code, 202)
        self.assertEqual(
            answer.json(),
            {"status": "success", "message": "Event processed", "dedup_key": "srv01/mysql"},
        )
        alert = IncomingAlert.objects.get()
        self.assertEqual(
            (alert.state, alert.urgency, alert.source, alert.summary),
            ("triggered", "critical", "prod-datapipe03.example.com", EXAMPLE["payload"]["summary"]),
        )
        self.assertEqual(
            alert.labels, {"component": "mysql", "group": "prod-datapipe", "class": "disk"}
        )
        self.assertEqual(alert.details["free space"], "1%")
        self.assertEqual(alert.started_at.isoformat(), "2015-07-17T08:42:58.315000+00:00")
        self.assertEqual(alert.link, "https://monitoring.service.com")
        notice = Message.objects.get(event="intake.triggered")
        self.assertIn("DISK at 99%", notice.title)
        self.assertEqual(
            [d.person for d in notice.deliveries.all() if d.person], [self.executor_person]
        )

    def test_the_same_key_updates_the_open_alert_and_tells_nobody_again(self):
        self.send(EXAMPLE)
        newer = {**EXAMPLE, "payload": {**EXAMPLE["payload"], "summary": "DISK at 100%"}}
        self.assertEqual(self.send(newer).status_code, 202)
        alert = IncomingAlert.objects.get()
        self.assertEqual((alert.summary, alert.times_received), ("DISK at 100%", 2))
        self.assertEqual(Message.objects.filter(event="intake.triggered").count(), 1)

    def test_after_resolve_a_new_trigger_opens_a_new_alert(self):
        self.send(EXAMPLE)
        self.send({"event_action": "resolve", "dedup_key": "srv01/mysql"})
        first = IncomingAlert.objects.get()
        self.assertEqual(first.state, "resolved")
        self.assertEqual(Message.objects.filter(event="intake.resolved").count(), 1)
        self.send(EXAMPLE)
        self.assertEqual(
            list(IncomingAlert.objects.order_by("pk").values_list("state", flat=True)),
            ["resolved", "triggered"],
        )

    def test_acknowledge_then_repeat_stays_acknowledged_and_unknown_keys_are_ignored(self):
        self.send(EXAMPLE)
        self.assertEqual(
            self.send({"event_action": "acknowledge", "dedup_key": "srv01/mysql"}).status_code, 202
        )
        self.send(EXAMPLE)
        self.assertEqual(IncomingAlert.objects.get().state, "acknowledged")
        for action in ("acknowledge", "resolve"):
            answer = self.send({"event_action": action, "dedup_key": "never-seen"})
            self.assertEqual(answer.status_code, 202)
            self.assertEqual(answer.json()["dedup_key"], "never-seen")
        self.assertEqual(IncomingAlert.objects.count(), 1)

    def test_a_trigger_without_a_key_always_opens_a_new_alert(self):
        keyless = {k: v for k, v in EXAMPLE.items() if k != "dedup_key"}
        keys = {self.send(keyless).json()["dedup_key"] for _ in range(3)}
        self.assertEqual(len(keys), 3)
        self.assertEqual(IncomingAlert.objects.filter(state="triggered").count(), 3)

    def test_invalid_events_are_refused_in_pagerdutys_words_and_nothing_is_stored(self):
        cases = [
            ({**EXAMPLE, "event_action": "explode"}, "event_action"),
            ({**EXAMPLE, "payload": {**EXAMPLE["payload"], "severity": "high"}}, "severity"),
            ({**EXAMPLE, "payload": {"summary": "x"}}, "payload.source"),
            ({"event_action": "resolve"}, "dedup_key"),
            ({**EXAMPLE, "dedup_key": "k" * 256}, "dedup_key"),
        ]
        for event, words in cases:
            with self.subTest(words=words):
                answer = self.send(event)
                self.assertEqual(answer.status_code, 400)
                self.assertEqual(answer.json()["status"], "invalid event")
                self.assertTrue(any(words in e for e in answer.json()["errors"]), answer.json())
        wrong_key = self.send(EXAMPLE, key="yjk_not-a-key")
        self.assertEqual(wrong_key.status_code, 400)
        self.assertIn("routing_key", wrong_key.json()["errors"][0])
        not_json = self.client.post("/v2/enqueue", "{", content_type="application/json")
        self.assertEqual(not_json.status_code, 400)
        self.assertFalse(IncomingAlert.objects.exists())

    def test_a_sender_over_its_budget_gets_429_with_retry_after(self):
        with self.settings(YINGJI_INTAKE_RATE="2/minute"):
            self.assertEqual([self.send(EXAMPLE).status_code for _ in range(2)], [202, 202])
            refused = self.send(EXAMPLE)
        self.assertEqual(refused.status_code, 429)
        self.assertTrue(1 <= int(refused["Retry-After"]) <= 60)
        self.assertEqual(IncomingAlert.objects.get().times_received, 2)
        reset_budgets()
