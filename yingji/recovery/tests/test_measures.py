"""The improvement register (R-REV-2): a measure closes only verified with evidence by
someone other than its owner, or not done for a reason the leadership group accepts; a
measure that changes a plan opens its review (R-PLAN-3); reminders, chasing and the monthly
digest on a controlled clock; the continuous-improvement plan."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from yingji.core.errors import AccessDenied, DomainError
from yingji.notify.models import Message
from yingji.org.testing import CastTestCase
from yingji.plans import services as plans
from yingji.recovery.models import Measure
from yingji.recovery.services import measures, reminders

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)


def told(event: str) -> list[Message]:
    return list(Message.objects.filter(event=event).order_by("pk"))


class Verification(CastTestCase):
    def new(self, **fields) -> Measure:
        return measures.measure_create(
            **{
                "actor": self.office,
                "title": "主备链路自动切换",
                "source": "audit",
                "change": "equipment",
                "owner": self.executor_person,
                "due": timezone.localdate() + timedelta(days=30),
                **fields,
            }
        )

    def test_verified_only_with_evidence_and_not_by_the_owner(self):
        measure = self.new()
        with self.assertRaises(DomainError):  # not done yet
            measures.measure_verify(
                actor=self.office, measure=measure, evidence_note="x", evidence_link="/x/"
            )
        measures.measure_start(actor=self.executor, measure=measure)
        measures.measure_done(actor=self.executor, measure=measure, note="已改配置")
        self.assertEqual(len(told("recovery.measure_to_verify")), 1)
        with self.assertRaises(AccessDenied):
            measures.measure_verify(
                actor=self.executor,
                measure=measure,
                evidence_note="我自己看过",
                evidence_link="/x/",
            )
        with self.assertRaisesMessage(DomainError, "evidence"):
            measures.measure_verify(actor=self.office, measure=measure, evidence_note="看过了")
        with self.assertRaisesMessage(DomainError, "http"):
            measures.measure_verify(
                actor=self.office,
                measure=measure,
                evidence_note="看过",
                evidence_link="javascript:alert(1)",
            )
        self.assertEqual(self.refreshed(measure).status, "done")
        measures.measure_verify(
            actor=self.office,
            measure=measure,
            evidence_note="演练中拔线，30 秒切换",
            files=[("drill.txt", b"switchover in 30 s")],
        )
        measure = self.refreshed(measure)
        self.assertEqual(
            (measure.status, measure.verified_by, measure.evidence.count()),
            ("verified", self.office, 1),
        )

    def test_a_failed_verification_reopens_it(self):
        measure = self.new()
        measures.measure_done(actor=self.executor, measure=measure, note="已改")
        measures.measure_reopen(actor=self.leader, measure=measure, reason="演练未切换")
        self.assertEqual(self.refreshed(measure).status, "in_progress")
        self.assertEqual(len(told("recovery.measure_reopened")), 1)

    def test_not_doing_needs_the_leadership_groups_acceptance(self):
        measure = self.new()
        measures.not_doing_propose(actor=self.executor, measure=measure, reason="设备年底更换")
        self.assertEqual(self.refreshed(measure).status, "open")
        with self.assertRaises(AccessDenied):
            measures.not_doing_decide(actor=self.office, measure=measure, accept=True)
        measures.not_doing_decide(actor=self.leader, measure=measure, accept=True)
        measure = self.refreshed(measure)
        self.assertEqual(
            (measure.status, measure.not_doing_accepted_by), ("not_doing", self.leader)
        )

    def test_bad_input_is_refused_with_the_field(self):
        cases: list[tuple[dict[str, Any], str]] = [
            ({"owner": None}, "owner"),
            ({"due": date(2001, 1, 1)}, "due"),
            ({"change": "plan"}, "plan"),
            ({"source": "incident"}, "incident"),
            ({"title": "  "}, "title"),
        ]
        for fields, field in cases:
            with self.subTest(field=field), self.assertRaises(DomainError) as refused:
                measures.measure_create(
                    **{
                        "actor": self.office,
                        "title": "x",
                        "source": "audit",
                        "change": "process",
                        "owner": self.executor_person,
                        "due": timezone.localdate(),
                        **fields,
                    }
                )
            self.assertEqual(refused.exception.field, field)
        self.assertFalse(Measure.objects.exists())
        with self.assertRaises(AccessDenied):
            measures.measure_create(
                actor=self.sales,
                title="x",
                source="audit",
                change="process",
                owner=self.sales_person,
                due=timezone.localdate(),
            )

    def test_a_measure_that_changes_a_plan_opens_its_review(self):
        plan = plans.plan_create(
            actor=self.office,
            code="P-IS",
            title="信息系统专项预案",
            tier="special",
            owner_department=self.tech,
            category="information_system",
        )
        plan.review_due = timezone.localdate() + timedelta(days=200)
        plan.save(update_fields=["review_due"])
        measure = self.new(change="plan", plan=plan)
        plan = self.refreshed(plan)
        self.assertEqual(plan.review_due, timezone.localdate())
        self.assertIn(f"#{measure.pk}", plan.early_review_reason)
        self.assertEqual(len(told("plan.review_early")), 1)

    def test_a_due_date_moves_only_with_a_reason(self):
        measure = self.new()
        later = measure.due + timedelta(days=30)
        with self.assertRaisesMessage(DomainError, "why"):
            measures.measure_update(actor=self.office, measure=measure, due=later)
        with self.assertRaises(AccessDenied):
            measures.measure_update(actor=self.executor, measure=measure, due=later, reason="忙")
        measures.measure_update(actor=self.office, measure=measure, due=later, reason="等待备件")
        self.assertEqual(self.refreshed(measure).due, later)


class OnTheClock(CastTestCase):
    def make(self, due: date, owner=None) -> Measure:
        return measures.measure_create(
            actor=self.office,
            title=f"措施 {due}",
            source="drill",
            change="training",
            owner=owner or self.executor_person,
            due=due,
        )

    def test_reminded_before_chased_after_once_a_week(self):
        with time_machine.travel(DAY, tick=False):
            measure = self.make(date(2026, 11, 12))
            self.assertEqual(reminders.remind(timezone.now()), 1)  # due in two days
            self.assertEqual(reminders.remind(timezone.now()), 0)  # once
        soon = told("recovery.due_soon")
        self.assertEqual([d.person for d in soon[0].deliveries.all()], [self.executor_person])
        for day, expected in ((13, 1), (14, 0), (19, 0), (20, 1)):
            with time_machine.travel(DAY.replace(day=day), tick=False):
                self.assertEqual(reminders.remind(timezone.now()), expected, day)
        late = told("recovery.late")
        self.assertEqual(len(late), 2)
        self.assertIn(self.office_person, {d.person for d in late[0].deliveries.all()})
        measures.measure_done(actor=self.executor, measure=measure, note="已培训")
        with time_machine.travel(DAY.replace(day=27), tick=False):
            self.assertEqual(reminders.remind(timezone.now()), 0)  # done: no longer chased

    def test_the_monthly_digest_tells_the_leadership_group_what_is_overdue(self):
        with time_machine.travel(DAY.replace(month=10, day=1), tick=False):
            self.make(date(2026, 10, 5))
            self.make(date(2026, 11, 20))
        with time_machine.travel(DAY.replace(day=30), tick=False):
            self.assertEqual(reminders.digest(timezone.now()), 0)  # not the first of the month
        with time_machine.travel(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
            self.assertEqual(reminders.digest(timezone.now()), 1)
            self.assertEqual(reminders.digest(timezone.now()), 0)
        digest = told("recovery.digest")[0]
        self.assertEqual((digest.context["overdue"], digest.context["long_overdue"]), (2, 1))
        self.assertEqual([d.person for d in digest.deliveries.all()], [self.leader_person])

    def test_the_engine_runs_the_passes(self):
        from yingji.engine.loop import Engine

        with time_machine.travel(DAY, tick=False):
            self.make(date(2026, 11, 11))
            Engine().run_cycle()
        self.assertEqual(len(told("recovery.due_soon")), 1)


class ImprovementPlan(CastTestCase):
    def test_approved_by_the_leadership_group_and_exported(self):
        from docx import Document
        from openpyxl import load_workbook

        with time_machine.travel(DAY, tick=False):
            first = measures.measure_create(
                actor=self.office,
                title="双路供电",
                source="inspection",
                change="equipment",
                owner=self.executor_person,
                due=date(2026, 12, 10),
            )
            with self.assertRaises(AccessDenied):
                measures.ci_plan_approve(actor=self.office, year=2026, quarter=4)
            plan = measures.ci_plan_approve(actor=self.leader, year=2026, quarter=4)
            self.assertEqual(plan.measure_ids, [first.pk])
            measures.measure_create(
                actor=self.office,
                title="值班培训",
                source="drill",
                change="training",
                owner=self.staff_person,
                due=date(2026, 12, 20),
            )
            self.login("leader")
            sheet = load_workbook(
                io.BytesIO(
                    self.client.get(
                        "/improvements/plan/?year=2026&quarter=4&format=xlsx",
                        HTTP_ACCEPT_LANGUAGE="en",
                    ).content
                )
            ).active
            rows = [[c.value for c in row] for row in sheet.iter_rows()]
            self.assertEqual([r[1] for r in rows[1:]], ["双路供电", "值班培训"])
            self.assertIn("added after approval", rows[2][7])
            document = Document(
                io.BytesIO(
                    self.client.get("/improvements/plan/?year=2026&quarter=4&format=docx").content
                )
            )
            cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
            self.assertTrue({"双路供电", "值班培训"} <= cells)
            page = self.client.get(
                "/improvements/?source=drill", HTTP_ACCEPT_LANGUAGE="en"
            ).content.decode()
            self.assertIn("值班培训", page)
            self.assertNotIn("双路供电", page)
