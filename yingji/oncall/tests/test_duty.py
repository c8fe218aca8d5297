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


class DatesEverywhere(IncidentTestCase):
    """The one date rule at every other entry that takes a time: year 0001 is a message."""

    def test_silences_and_overrides_refuse_an_implausible_year(self):
        from datetime import UTC, datetime

        from yingji.intake import services as intake
        from yingji.monitoring import services as monitoring

        year_one = datetime(1, 1, 2, tzinfo=UTC)
        roster = services.roster_create(actor=SYSTEM, name="运维")
        asset = monitoring.asset_create(actor=SYSTEM, code="A1", name="服务器", kind="server")
        attempts = {
            "override": lambda: services.override_add(
                actor=SYSTEM,
                roster=roster,
                person=self.executor_person,
                starts_at=year_one,
                ends_at=T0,
                reason="换班",
            ),
            "maintenance": lambda: monitoring.silence_create(
                actor=SYSTEM, asset=asset, starts_at=year_one, ends_at=T0, reason="维护"
            ),
            "silence": lambda: intake.silence_create(
                actor=SYSTEM, matchers=["alertname=X"], ends_at=year_one, reason="维护"
            ),
        }
        for name, attempt in attempts.items():
            with self.subTest(name), self.assertRaises(DomainError) as caught:
                attempt()
            self.assertIn("0001 is not a plausible year", str(caught.exception.message))
