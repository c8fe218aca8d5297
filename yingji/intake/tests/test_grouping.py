"""Telling and paging on the engine's clock, per group: the request only stores; the engine's
next cycle tells once for everything that arrived; alerts of one group (equal values of the
group-by labels, within the window of its first) page once; the lead stands for its group;
a closing is told to whoever was paged. The clock is controlled, never slept."""

import json
from datetime import UTC, datetime, timedelta

import time_machine

from yingji.audit.models import AuditEvent
from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.core.ratelimit import reset_budgets
from yingji.engine.loop import Engine
from yingji.intake import services
from yingji.intake.models import IncomingAlert
from yingji.notify.models import Message
from yingji.oncall.escalation import policy_create
from yingji.oncall.models import Escalation
from yingji.org.testing import CastTestCase

T0 = datetime(2026, 9, 28, 2, 0, tzinfo=UTC)


def alert(fingerprint: str, name: str, status: str = "firing", **labels: str) -> dict:
    return {
        "status": status,
        "fingerprint": fingerprint,
        "startsAt": "2026-09-28T02:00:00Z",
        "labels": {"alertname": name, "severity": "critical", **labels},
        "annotations": {"summary": f"{name} on {fingerprint}"},
    }


class Grouping(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()
        self.policy = policy_create(
            actor=SYSTEM,
            name="值班",
            repeat=2,
            steps=[
                {"target": "person", "person": self.executor_person, "delay_minutes": 0},
                {"target": "person", "person": self.head_person, "delay_minutes": 5},
            ],
        )
        self.integration, self.key = services.integration_create(
            actor=SYSTEM,
            name="AM",
            kind="alertmanager",
            escalation_policy=self.policy,
            group_by=["alertname"],
            group_window_minutes=10,
        )

    def send(self, at: datetime, *alerts: dict) -> None:
        with time_machine.travel(at, tick=False):
            answer = self.client.post(
                "/api/v1/intake/alertmanager",
                json.dumps({"version": "4", "alerts": alerts}),
                content_type="application/json",
                headers={"Authorization": f"Bearer {self.key}"},
            )
            self.assertEqual(answer.status_code, 202, answer.content)

    def run_at(self, at: datetime) -> None:
        with time_machine.travel(at, tick=False):
            Engine().run_cycle()
            Engine().run_cycle()  # the escalations the first cycle started run in the next

    def pages(self) -> list[str]:
        return list(
            Message.objects.filter(event="oncall.page")
            .order_by("pk")
            .values_list("title", flat=True)
        )

    def test_the_request_tells_nobody_and_the_engine_tells_two_payloads_once(self):
        self.integration.escalation_policy = None
        self.integration.save()
        self.send(T0, alert("a1", "DiskFull"))
        self.send(T0 + timedelta(seconds=1), alert("a2", "DiskFull"), alert("a3", "Down"))
        self.assertFalse(Message.objects.exists())
        self.run_at(T0 + timedelta(seconds=2))
        notices = Message.objects.filter(event="intake.triggered").order_by("title")
        # one per group: DiskFull (a1 and a2 from two payloads) and Down
        self.assertEqual([n.context["count"] for n in notices], [1, 2])
        a1, a2 = (
            IncomingAlert.objects.get(dedup_key="a1"),
            IncomingAlert.objects.get(dedup_key="a2"),
        )
        self.assertEqual((a1.lead, a2.lead, a1.group_key), (None, a1, "alertname=DiskFull"))
        self.assertEqual(a2.told_at, T0 + timedelta(seconds=2))
        self.run_at(T0 + timedelta(seconds=3))
        self.assertEqual(Message.objects.count(), 2)  # told once

    def test_a_group_pages_once_and_grows_within_its_window_only(self):
        self.send(T0, alert("a1", "DiskFull", instance="db-01"))
        self.run_at(T0)
        self.assertEqual(len(self.pages()), 1)
        self.send(
            T0 + timedelta(minutes=2),
            alert("a2", "DiskFull", instance="db-02"),
            alert("b1", "Down"),
        )
        self.run_at(T0 + timedelta(minutes=2))
        lead = IncomingAlert.objects.get(dedup_key="a1")
        self.assertEqual(IncomingAlert.objects.get(dedup_key="a2").lead, lead)
        self.assertEqual(Escalation.objects.count(), 2)  # DiskFull's and Down's, not a2's
        self.assertEqual(len(self.pages()), 2)  # b1 paged; a2 did not page again
        grown = Message.objects.get(event="intake.grouped")
        self.assertIn("DiskFull on a1", grown.title)
        self.assertEqual(
            [d.person for d in grown.deliveries.all() if d.person], [self.executor_person]
        )  # the one already paged
        self.send(T0 + timedelta(minutes=11), alert("a3", "DiskFull", instance="db-03"))
        self.run_at(T0 + timedelta(minutes=11))
        a3 = IncomingAlert.objects.get(dedup_key="a3")
        self.assertIsNone(a3.lead)  # the window of the first group has passed: a new group
        self.assertTrue(Escalation.objects.filter(alert=a3).exists())

    def test_the_lead_stands_for_its_group(self):
        self.send(T0, alert("a1", "DiskFull"), alert("a2", "DiskFull"))
        self.run_at(T0)
        lead, member = (
            IncomingAlert.objects.get(dedup_key="a1"),
            IncomingAlert.objects.get(dedup_key="a2"),
        )
        with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
            self.login("executor")  # paged for the lead, so may act on its members
            page = self.client.get(f"/intake/alerts/{member.pk}/")
            self.assertContains(page, f"/intake/alerts/{lead.pk}/")
            page = self.client.get(f"/intake/alerts/{lead.pk}/")
            self.assertContains(page, "DiskFull on a2")  # the group's alerts are listed
            listed = self.client.get("/intake/alerts/")
            self.assertContains(listed, "+1")  # one row for the group
            self.assertNotContains(listed, "DiskFull on a2")
            self.assertContains(self.client.get("/intake/alerts/?every=1"), "DiskFull on a2")
            answer = self.client.post(f"/intake/alerts/{lead.pk}/acknowledge/")
            self.assertEqual(answer.status_code, 302)
        member.refresh_from_db()
        self.assertEqual(member.state, "acknowledged")
        self.assertEqual(Escalation.objects.get().ended, "acknowledged")

    def test_the_group_escalates_until_all_of_it_resolves_and_the_paged_are_told(self):
        self.send(T0, alert("a1", "DiskFull"), alert("a2", "DiskFull"))
        self.run_at(T0)
        self.send(T0 + timedelta(minutes=1), alert("a1", "DiskFull", status="resolved"))
        self.run_at(T0 + timedelta(minutes=1))
        self.assertEqual(Escalation.objects.get().ended, "")  # a2 is still open
        self.run_at(T0 + timedelta(minutes=5))
        self.assertEqual(len(self.pages()), 2)  # the head is paged for the group
        self.send(T0 + timedelta(minutes=6), alert("a2", "DiskFull", status="resolved"))
        self.run_at(T0 + timedelta(minutes=6))
        self.assertEqual(Escalation.objects.get().ended, "resolved")
        closings = Message.objects.filter(event="intake.resolved").order_by("pk")
        told = [{d.person for d in c.deliveries.all() if d.person} for c in closings]
        # those paged by then, not the office
        self.assertEqual(told, [{self.executor_person}, {self.executor_person, self.head_person}])

    def test_an_alert_closed_before_the_engine_saw_it_is_told_to_nobody(self):
        self.send(T0, alert("a1", "Flap"))
        self.send(T0, alert("a1", "Flap", status="resolved"))
        self.run_at(T0)
        self.assertFalse(Message.objects.exists())
        self.assertFalse(Escalation.objects.exists())

    def test_grouping_settings_are_checked_and_changed_with_an_audit(self):
        for bad in (
            {"group_by": ["x"] * 11},
            {"group_window_minutes": 1441},
            {"group_window_minutes": -1},
            {"group_by": [""]},
        ):
            with self.subTest(bad=bad), self.assertRaises(DomainError):
                services.integration_update(actor=SYSTEM, integration=self.integration, **bad)
        self.login("office")
        answer = self.client.patch(
            f"/api/v1/intake/integrations/{self.integration.pk}/",
            {"group_by": ["alertname", "dc"], "group_window_minutes": 30},
            content_type="application/json",
        )
        self.assertEqual(answer.status_code, 200, answer.content)
        self.integration.refresh_from_db()
        self.assertEqual(
            (self.integration.group_by, self.integration.group_window_minutes),
            (["alertname", "dc"], 30),
        )
        event = AuditEvent.objects.filter(action="intake.integration.update").latest("pk")
        assert event.before is not None and event.after is not None
        self.assertEqual((event.before["window"], event.after["window"]), (10, 30))
        answer = self.client.patch(
            f"/api/v1/intake/integrations/{self.integration.pk}/",
            {"group_window_minutes": 5000},
            content_type="application/json",
        )
        self.assertEqual(answer.status_code, 400)
        self.assertIn("1440", answer.content.decode())
        self.login("staff")
        answer = self.client.patch(
            f"/api/v1/intake/integrations/{self.integration.pk}/",
            {"group_window_minutes": 1},
            content_type="application/json",
        )
        self.assertIn(answer.status_code, (403, 404))
