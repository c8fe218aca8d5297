"""The end order opens the after-phase (R-END-2 → R-REC-1..R-REV-2): exactly one of each
item, with owners and due times in working days, the summary pre-filled from the record."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test import TransactionTestCase

from yingji.incidents import ended as ended_hooks
from yingji.notify.models import Message
from yingji.oncall import services as oncall
from yingji.org.testing import CastTestCase, build_cast
from yingji.recovery.models import (
    AfterPhase,
    RebuildItem,
    RecoveryPlan,
    Review,
    SummaryReport,
)
from yingji.recovery.services import common, opening
from yingji.recovery.tests.helpers import ended_incident

SHANGHAI = ZoneInfo("Asia/Shanghai")
FRIDAY = datetime(2026, 9, 25, 16, 0, tzinfo=SHANGHAI)  # before the National Day week


class EndOrderOpensTheAfterPhase(CastTestCase):
    def test_one_of_each_with_owners_and_working_day_deadlines(self):
        with time_machine.travel(FRIDAY, tick=False):
            incident = ended_incident(self.cast)
        phase = AfterPhase.objects.get(incident=incident)
        self.assertIsNone(phase.closed_at)
        plans = RecoveryPlan.objects.filter(incident=incident).order_by("department__code")
        # The judging department (客户服务部) and the reporter's (呼叫中心), both business.
        self.assertEqual([p.department.code for p in plans], ["CS", "CS-CALL"])
        cs = plans[0]
        self.assertEqual(cs.owner, self.head_person)
        self.assertIn("网银转账约 40 分钟不可用", cs.impact)
        # 3 working days after Friday 16:00: Wednesday 16:00.
        self.assertEqual(
            cs.due_at.astimezone(SHANGHAI), datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI)
        )
        items = list(RebuildItem.objects.filter(incident=incident).order_by("pk"))
        self.assertEqual([i.kind for i in items], ["restore", "harden"])
        self.assertEqual(items[0].owner, self.executor_person)  # the task's assignee
        self.assertIn("更换故障板卡", items[0].description)
        self.assertIn("备用链路未自动切换", items[1].description)
        report = SummaryReport.objects.get(incident=incident)
        self.assertEqual(report.owner, self.leader_person)
        self.assertEqual(report.due_at.astimezone(SHANGHAI).date().isoformat(), "2026-10-09")
        self.assertIsNone(report.regulator_due_at)  # not a security event
        review = Review.objects.get(incident=incident)
        self.assertEqual(review.owner, self.office_person)
        self.assertGreater(review.due_at, report.due_at)
        opened = Message.objects.get(event="recovery.opened")
        self.assertIn(self.office_person, {d.person for d in opened.deliveries.all()})

    def test_a_holiday_calendar_moves_the_deadlines_past_the_holiday(self):
        calendar = oncall.calendar_create(actor=self.office, name="2026")
        days = [(FRIDAY.date() + timedelta(days=n), "holiday", "国庆") for n in range(6, 13)]
        oncall.calendar_days_set(actor=self.office, calendar=calendar, days=days)
        common.settings_save(actor=self.office, calendar=calendar)
        with time_machine.travel(FRIDAY, tick=False):
            incident = ended_incident(self.cast)
        plan = RecoveryPlan.objects.filter(incident=incident).first()
        assert plan is not None
        # Mon 28, Tue 29, Wed 30 are working days; the holiday starts on 1 October.
        self.assertEqual(plan.due_at.astimezone(SHANGHAI).date().isoformat(), "2026-09-30")
        report = SummaryReport.objects.get(incident=incident)
        # Ten working days: 28, 29, 30 September, then 8, 9, 12..16 October.
        self.assertEqual(report.due_at.astimezone(SHANGHAI).date().isoformat(), "2026-10-16")

    def test_a_reportable_security_event_gets_the_regulators_30_days_and_its_sections(self):
        with time_machine.travel(FRIDAY, tick=False):
            incident = ended_incident(self.cast, category="network_security", grade="III")
            report = SummaryReport.objects.get(incident=incident)
            assert incident.ended_at is not None
            self.assertEqual(report.regulator_due_at, incident.ended_at + timedelta(days=30))
        keys = set(report.sections.values_list("key", flat=True))
        self.assertTrue({"technique", "harm", "accountability", "rectification"} <= keys)
        self.assertTrue(report.sections.get(key="technique").required)

    def test_the_summary_is_pre_filled_with_key_times_decisions_and_the_timeline(self):
        with time_machine.travel(FRIDAY, tick=False):
            incident = ended_incident(self.cast)
        sections = dict(
            SummaryReport.objects.get(incident=incident).sections.values_list("key", "text")
        )
        assert incident.escalated_at is not None
        escalated = incident.escalated_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        self.assertIn(escalated, sections["overview"])
        self.assertIn("同意启动二级响应", sections["decisions"])
        self.assertIn("信息系统专项应急预案", sections["decisions"])
        self.assertIn("板卡故障致链路聚合异常", sections["cause"])
        self.assertIn("已切换至备用链路", sections["measures"])
        self.assertIn("5300", sections["effect"])
        self.assertGreaterEqual(sections["course"].count("\n"), 5)  # one line a timeline entry
        self.assertEqual(sections["went_well"], "")  # people write the lessons

    def test_opening_again_does_nothing(self):
        incident = ended_incident(self.cast)
        self.assertIsNone(opening.after_phase_open(incident=incident))
        self.assertEqual(SummaryReport.objects.filter(incident=incident).count(), 1)
        self.assertEqual(opening.open_missing(), 0)

    def test_an_exercise_gets_none_unless_the_office_asks(self):
        drill = ended_incident(self.cast, exercise=True)
        self.assertFalse(AfterPhase.objects.filter(incident=drill).exists())
        common.settings_save(actor=self.office, exercises=True)
        self.assertEqual(opening.open_missing(), 1)
        self.assertTrue(AfterPhase.objects.filter(incident=drill).exists())

    def test_the_passes_write_nothing_on_an_installation_nobody_set_up(self):
        from django.utils import timezone

        from yingji.recovery.models import RecoverySettings
        from yingji.recovery.services import reminders

        self.assertEqual(
            (
                opening.open_missing(),
                reminders.remind(timezone.now()),
                reminders.digest(timezone.now()),
            ),
            (0, 0, 0),
        )
        self.assertFalse(RecoverySettings.objects.exists())
        self.assertFalse(Message.objects.exists())

    def test_settings_refuse_nonsense_and_only_the_office_changes_them(self):
        from yingji.core.errors import AccessDenied, DomainError

        with self.assertRaises(DomainError):
            common.settings_save(actor=self.office, plan_days=0)
        with self.assertRaises(AccessDenied):
            common.settings_save(actor=self.head, plan_days=5)
        self.assertEqual(common.recovery_settings().plan_days, 3)


class EnginesRacing(TransactionTestCase):
    """Incidents ended while the app was off: four engines sweep at once, one of each."""

    def test_four_sweeps_open_exactly_one_after_phase(self):
        cast = build_cast()
        listeners = list(ended_hooks.ON_ENDED)
        ended_hooks.ON_ENDED.clear()
        try:
            incident = ended_incident(cast)
        finally:
            ended_hooks.ON_ENDED[:] = listeners
        self.assertFalse(AfterPhase.objects.filter(incident=incident).exists())
        errors: list[Exception] = []

        def sweep() -> None:
            try:
                opening.open_missing()
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=sweep) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(AfterPhase.objects.filter(incident=incident).count(), 1)
        self.assertEqual(SummaryReport.objects.filter(incident=incident).count(), 1)
        self.assertEqual(Review.objects.filter(incident=incident).count(), 1)
        self.assertEqual(RecoveryPlan.objects.filter(incident=incident).count(), 2)
        self.assertEqual(RebuildItem.objects.filter(incident=incident).count(), 2)
        self.assertEqual(Message.objects.filter(key=f"recovery:{incident.pk}:opened").count(), 1)
