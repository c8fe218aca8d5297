"""值班领导: the leadership group's duty roster pages its person on duty when a report becomes
an emergency, by the head or by the 15-minute rule (R-RESP-2), with a receipt."""

from __future__ import annotations

from datetime import time, timedelta

import time_machine

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.engine.loop import Engine
from yingji.incidents import services as incidents
from yingji.incidents.tests.test_report_and_triage import T0, IncidentTestCase
from yingji.notify.models import Message
from yingji.oncall import services


class DutyLeader(IncidentTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.roster = services.roster_create(actor=SYSTEM, name="领导值班", duty_for="leadership")
        services.layer_add(
            actor=SYSTEM,
            roster=self.roster,
            name="每日",
            rotation="daily",
            handoff=time(8, 0),
            start_date=(T0 - timedelta(days=3)).date(),
            members=[self.leader_person],
        )

    def paged(self, incident) -> Message:
        return Message.objects.get(key=f"incident:{incident.pk}:duty:{self.roster.pk}")

    def test_the_duty_leader_is_paged_with_a_receipt_when_the_head_escalates(self):
        incident = self.report()
        with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
            incidents.incident_escalate(actor=self.head, incident=incident)
        page = self.paged(incident)
        self.assertTrue(page.require_receipt)
        self.assertEqual(page.escalate_minutes, 5)  # unconfirmed: the next channel, the office
        people = list(page.deliveries.filter(channel=None).values_list("person", flat=True))
        self.assertEqual(people, [self.leader_person.pk])

    def test_and_when_the_15_minute_rule_escalates(self):
        incident = self.report()
        with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
            Engine().run_cycle()
        self.assertEqual(self.paged(incident).deliveries.filter(channel=None).count(), 1)

    def test_a_confidential_title_stays_in_yingji(self):
        incident = self.report(title="客户数据泄露", confidential=True)
        with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
            incidents.incident_escalate(actor=self.head, incident=incident)
        self.assertNotIn("泄露", self.paged(incident).title)

    def test_only_the_leadership_or_expert_group_has_a_duty_roster(self):
        with self.assertRaises(DomainError):
            services.roster_create(actor=SYSTEM, name="x", duty_for="execution")
