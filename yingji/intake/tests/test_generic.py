"""Generic JSON: any sender, read through the integration's mapping of dotted paths."""

import json
from typing import Any

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.core.ratelimit import reset_budgets
from yingji.intake import services
from yingji.intake.models import IncomingAlert
from yingji.org.testing import CastTestCase

MAPPING = {
    "alerts": "data.events",
    "key": "id",
    "summary": "title",
    "severity": "level",
    "status": "state",
    "source": "host.name",
    "resolved_values": ["RECOVERED"],
}


class GenericJson(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()
        _integration, self.key = services.integration_create(
            actor=SYSTEM, name="自研监控", kind="generic", mapping=MAPPING
        )

    def send(self, body: object) -> Any:
        return self.client.post(
            "/api/v1/intake/generic",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.key}"},
        )

    def test_events_are_read_through_the_mapping_and_resolve_by_key(self):
        events: list[dict[str, Any]] = [
            {
                "id": 7,
                "title": "交易量骤降 40%",
                "level": "high",
                "state": "ALARM",
                "host": {"name": "pay-gw-01"},
            },
            {
                "id": "x9",
                "title": "证书 10 天后到期",
                "level": "warning",
                "state": "ALARM",
                "host": {"name": "edge"},
            },
        ]
        answer = self.send({"data": {"events": events}})
        self.assertEqual(answer.status_code, 202, answer.content)
        first = IncomingAlert.objects.get(dedup_key="7")
        self.assertEqual(
            (first.summary, first.urgency, first.source), ("交易量骤降 40%", "error", "pay-gw-01")
        )
        self.send({"data": {"events": [{**events[0], "state": "RECOVERED"}]}})
        self.assertEqual(IncomingAlert.objects.get(dedup_key="7").state, "resolved")
        self.assertEqual(IncomingAlert.objects.get(dedup_key="x9").state, "triggered")

    def test_what_the_mapping_cannot_find_is_refused_whole(self):
        answer = self.send({"data": {"events": [{"id": 1, "title": "ok"}, {"id": 2}]}})
        self.assertEqual(answer.status_code, 400)
        self.assertIn("Event 1: no summary at title", answer.json()["detail"])
        self.assertEqual(self.send({"data": {}}).status_code, 400)
        self.assertFalse(IncomingAlert.objects.exists())
        bad: Any
        for bad in ({}, {"summary": 3}, {"summary": "t", "colour": "c"}, []):
            with self.subTest(bad=bad), self.assertRaises(DomainError):
                services.integration_create(
                    actor=SYSTEM, name=f"g {bad}", kind="generic", mapping=bad
                )
