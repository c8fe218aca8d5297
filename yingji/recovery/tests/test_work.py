"""Recovery plans (R-REC-1), rebuild (R-REC-2), the summary's approval (R-REV-1), the review
and the close (R-REV-2): the rules, who may, and the refusals that change nothing."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone

from yingji.audit.models import AuditEvent
from yingji.core.errors import AccessDenied, DomainError
from yingji.org.testing import CastTestCase
from yingji.recovery.choices import REVIEW_QUESTIONS
from yingji.recovery.models import Measure, RecoveryPlan, SummaryReport
from yingji.recovery.services import summary, work
from yingji.recovery.tests.helpers import ended_incident

YES = {key: True for key, _label in REVIEW_QUESTIONS}


def write_all(cast: dict, report: SummaryReport) -> None:
    for section in report.sections.all():
        summary.section_save(actor=cast["office"], section=section, text=section.text or "已写")


class RecoveryPlans(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.incident = ended_incident(self.cast)
        self.plan = RecoveryPlan.objects.get(incident=self.incident, department=self.cs)

    def step(self, **fields):
        return {
            "description": "回访受影响客户",
            "due_at": timezone.now() + timedelta(hours=4),
            "owner": self.staff_person,
            **fields,
        }

    def test_a_step_without_owner_or_time_point_is_refused_by_its_number(self):
        for missing, words in (
            ("owner", "Step 2: name its owner"),
            ("due_at", "Step 2: give its time point"),
        ):
            with self.subTest(missing=missing), self.assertRaisesMessage(DomainError, words):
                work.steps_set(
                    actor=self.head,
                    plan=self.plan,
                    steps=[self.step(), self.step(**{missing: None})],
                )
        self.assertEqual(self.plan.steps.count(), 0)

    def test_the_department_writes_the_head_approves_and_the_steps_complete_it(self):
        work.plan_update(actor=self.staff, plan=self.plan, goals="积压工单清零")
        work.steps_set(
            actor=self.staff, plan=self.plan, steps=[self.step(), self.step(owner=self.head_person)]
        )
        with self.assertRaises(AccessDenied):
            work.plan_update(actor=self.sales, plan=self.plan, goals="别的部门")
        with self.assertRaises(AccessDenied):
            work.plan_approve(actor=self.leader, plan=self.plan)
        work.plan_approve(actor=self.head, plan=self.plan)
        with self.assertRaises(DomainError):  # approved: its steps no longer change
            work.steps_set(actor=self.head, plan=self.plan, steps=[self.step()])
        first, second = self.plan.steps.all()
        work.step_update(actor=self.staff, step=first, status="done")
        with self.assertRaisesMessage(DomainError, "not needed"):
            work.step_update(actor=self.head, step=second, status="skipped")
        work.step_update(actor=self.head, step=second, status="skipped", note="无积压")
        self.assertEqual(self.refreshed(self.plan).status, "completed")

    def test_the_page_saves_steps_and_shows_a_refusal_on_the_form(self):
        self.login("head")
        page = f"/recovery/plans/{self.plan.pk}/"
        due = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
        bad = self.client.post(
            page,
            {"steps": "1", "rows": "2", "description-1": "回访", "due_at-1": due},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertContains(bad, "Step 1: name its owner.")
        self.client.post(
            page,
            {
                "steps": "1",
                "rows": "2",
                "description-1": "回访",
                "due_at-1": due,
                "owner-1": self.staff_person.pk,
            },
        )
        self.assertEqual(self.plan.steps.get().owner, self.staff_person)


class Rebuild(CastTestCase):
    def test_done_needs_how_it_is_verified_and_what_it_showed(self):
        incident = ended_incident(self.cast)
        item = incident.rebuild_items.get(kind="restore")
        with self.assertRaisesMessage(DomainError, "verified"):
            work.rebuild_finish(actor=self.executor, item=item, status="done", result="好了")
        work.rebuild_update(actor=self.expert, item=item, verification="拔掉一块板卡，流量自动切换")
        with self.assertRaises(AccessDenied):
            work.rebuild_finish(actor=self.staff, item=item, status="done", result="x")
        work.rebuild_finish(actor=self.executor, item=item, status="done", result="切换正常")
        self.assertEqual(self.refreshed(item).status, "done")

    def test_a_security_incident_does_not_close_on_restores_only(self):
        incident = ended_incident(self.cast, category="network_security", residual_risks="无")
        phase = incident.after_phase
        self.assertIn("hardening", " ".join(work.open_parts(phase)))
        for item in incident.rebuild_items.all():
            work.rebuild_update(actor=self.expert, item=item, verification="复测")
            work.rebuild_finish(actor=self.executor, item=item, status="done", result="恢复")
        self.assertIn("hardening", " ".join(work.open_parts(phase)))
        harden = work.rebuild_create(
            actor=self.expert,
            incident=incident,
            kind="harden",
            target="办公网边界",
            description="封禁被利用的远程桌面端口",
            owner=self.executor_person,
            due_at=timezone.now() + timedelta(days=5),
            verification="外部扫描无开放 3389",
        )
        work.rebuild_finish(actor=self.executor, item=harden, status="done", result="扫描通过")
        self.assertNotIn("hardening", " ".join(work.open_parts(phase)))


class SummaryAndReview(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.incident = ended_incident(self.cast)
        self.report = SummaryReport.objects.get(incident=self.incident)

    def test_groups_write_their_own_sections(self):
        cause = self.report.sections.get(key="cause")
        overview = self.report.sections.get(key="overview")
        summary.section_save(actor=self.expert, section=cause, text="根因")
        with self.assertRaises(AccessDenied):
            summary.section_save(actor=self.expert, section=overview, text="越权")
        effect = self.report.sections.get(key="effect")
        summary.section_save(actor=self.head, section=effect, text="客服来电 86 个")  # department
        with self.assertRaises(AccessDenied):
            summary.section_save(actor=self.sales, section=effect, text="x")

    def test_a_stale_save_is_refused(self):
        cause = self.report.sections.get(key="cause")
        summary.section_save(actor=self.expert, section=cause, text="第一稿", revision=0)
        with self.assertRaisesMessage(DomainError, "reload"):
            summary.section_save(actor=self.office, section=cause, text="旧页面", revision=0)
        self.assertEqual(self.refreshed(cause).text, "第一稿")

    def test_approval_with_empty_required_sections_is_refused_with_their_names(self):
        with self.assertRaises(DomainError) as refused:
            summary.report_approve(actor=self.leader, report=self.report)
        self.assertIn("What went well", str(refused.exception.message))
        self.assertIn("What went badly", str(refused.exception.message))
        self.assertEqual(self.refreshed(self.report).status, "draft")
        write_all(self.cast, self.report)
        summary.report_submit(actor=self.office, report=self.report)
        with self.assertRaises(AccessDenied):
            summary.report_approve(actor=self.office, report=self.report)
        summary.report_return(actor=self.leader, report=self.report, comment="影响不全")
        self.assertEqual(self.refreshed(self.report).status, "draft")
        summary.report_submit(actor=self.office, report=self.report)
        summary.report_approve(actor=self.leader, report=self.report)
        summary.report_publish(actor=self.office, report=self.report)
        self.assertEqual(self.refreshed(self.report).status, "published")
        self.login("sales")  # not taking part: reads it once published
        self.assertEqual(self.client.get(f"/recovery/summaries/{self.report.pk}/").status_code, 200)

    def test_the_docx_reads_back_with_its_sections_and_impact(self):
        from docx import Document

        write_all(self.cast, self.report)
        summary.impact_save(
            actor=self.office,
            report=self.report,
            calls_received=86,
            interruptions=[{"business": "网上银行", "minutes": 42}],
        )
        self.login("leader")
        response = self.client.get(
            f"/recovery/summaries/{self.report.pk}/summary.docx", HTTP_ACCEPT_LANGUAGE="en"
        )
        document = Document(io.BytesIO(response.content))
        text = "\n".join(p.text for p in document.paragraphs)
        cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
        for heading in ("Cause", "Course of events and key times", "What went well", "Signatures"):
            self.assertIn(heading, text)
        self.assertIn("板卡故障致链路聚合异常", text)
        self.assertTrue({"网上银行", "42", "86"} <= cells)

    def test_the_review_records_answers_and_its_measures(self):
        review = self.incident.review
        held = timezone.now() - timedelta(hours=1)
        with self.assertRaisesMessage(DomainError, "approved"):
            work.review_record(
                actor=self.office,
                review=review,
                held_at=held,
                attendees=[self.leader_person],
                answers=YES,
                minutes="x",
            )
        write_all(self.cast, self.report)
        summary.report_approve(actor=self.leader, report=self.report)
        with self.assertRaisesMessage(DomainError, "shared"):
            work.review_record(
                actor=self.office,
                review=review,
                held_at=held,
                attendees=[self.leader_person],
                answers={**YES, "shared": None},
                minutes="x",
            )
        work.review_record(
            actor=self.office,
            review=review,
            held_at=held,
            attendees=[self.leader_person, self.expert_person],
            answers=YES,
            minutes="复盘",
            measures=[
                {
                    "title": "修复主备切换",
                    "change": "equipment",
                    "owner": self.executor_person,
                    "due": timezone.localdate() + timedelta(days=20),
                }
            ],
        )
        measure = Measure.objects.get()
        self.assertEqual(
            (measure.source, measure.incident_id, measure.review_id),
            ("incident", self.incident.pk, review.pk),
        )
        self.assertEqual(self.refreshed(review).status, "held")


class Confidential(CastTestCase):
    def test_a_confidential_incidents_after_phase_stays_with_its_participants(self):
        incident = ended_incident(self.cast, confidential=True)
        report = incident.summary_report
        write_all(self.cast, report)
        summary.report_approve(actor=self.leader, report=report)
        summary.report_publish(actor=self.leader, report=report)
        self.login("sales")
        self.assertEqual(self.client.get(f"/recovery/summaries/{report.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/recovery/incidents/{incident.pk}/").status_code, 404)
        self.assertNotContains(self.client.get("/api/v1/recovery/summaries/"), "网上银行转账失败")
        self.login("admin")  # sees the audit trail, not this incident's part of it
        trail = self.client.get("/audit/?q=recovery").content.decode()
        hidden = AuditEvent.objects.filter(
            object_type="recovery.summaryreport", object_id=str(report.pk)
        )
        self.assertTrue(hidden.exists())
        self.assertNotIn(f"summary #{incident.pk}", trail)


class PagesAroundIt(CastTestCase):
    def test_the_home_card_lists_the_readers_late_work(self):
        from yingji.recovery.services import measures

        incident = ended_incident(self.cast)
        measures.measure_create(
            actor=self.office,
            title="修复主备切换",
            source="incident",
            incident=incident,
            change="equipment",
            owner=self.executor_person,
            due=timezone.localdate() - timedelta(days=2),
        )
        self.login("executor")
        home = self.client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        self.assertIn("Your after-phase work", home)
        self.assertIn("修复主备切换", home)
        self.assertIn(
            "更换故障板卡", self.client.get(f"/recovery/incidents/{incident.pk}/").content.decode()
        )
        self.login("sales")
        self.assertNotIn(
            "Your after-phase work",
            self.client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode(),
        )

    def test_the_office_sets_the_deadlines_on_its_page(self):
        self.login("head")
        self.assertEqual(self.client.get("/recovery/settings/").status_code, 403)
        self.login("office")
        refused = self.client.post(
            "/recovery/settings/",
            {
                "plan_days": "0",
                "rebuild_days": "10",
                "summary_days": "10",
                "review_days": "5",
                "regulator_days": "30",
                "remind_days": "2",
            },
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertContains(refused, "Give between 1 and 120 days.")
        self.client.post(
            "/recovery/settings/",
            {
                "plan_days": "5",
                "rebuild_days": "10",
                "summary_days": "10",
                "review_days": "5",
                "regulator_days": "30",
                "remind_days": "2",
            },
        )
        from yingji.recovery.services.common import recovery_settings

        self.assertEqual(recovery_settings().plan_days, 5)

    def test_a_confidential_incidents_notices_carry_no_title(self):
        from yingji.notify.models import Message

        incident = ended_incident(self.cast, confidential=True)
        opened = Message.objects.get(event="recovery.opened", key=f"recovery:{incident.pk}:opened")
        self.assertEqual(opened.context["title"], "")
        self.assertNotIn("网上银行转账失败", str(opened.context))
