"""R-RISK-1: the quarter opens by itself, carries last quarter's risks over with their marks,
and an assessment goes through the quality checks and the leadership group's review."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import time_machine
from django.db import connection
from django.test import TransactionTestCase
from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.core.errors import AccessDenied, DomainError
from yingji.notify.models import Message
from yingji.org import services as org
from yingji.org.testing import CastTestCase, build_cast
from yingji.risks import services
from yingji.risks.choices import Mark, Status
from yingji.risks.models import Assessment, Campaign, ReviewComment
from yingji.risks.tests.helpers import add, complete, open_for

NEW_YEAR = datetime(2027, 1, 1, 0, 30, tzinfo=timezone.get_fixed_timezone(480))


def recipients(message: Message) -> set:
    return {d.person for d in message.deliveries.select_related("person")}


def local(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_fixed_timezone(480))


class TheQuarterOpensByItself(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        services.policy_update(actor=self.office, due_day=20)  # the office sets it up

    def test_nothing_opens_before_the_office_sets_risk_assessment_up(self):
        from yingji.risks.models import Policy

        Policy.objects.all().delete()
        with time_machine.travel(NEW_YEAR, tick=False):
            self.assertIsNone(services.open_quarter(timezone.localdate()))
            self.assertEqual(services.remind_open_assessments(timezone.localdate()), 0)
        self.assertFalse(Campaign.objects.exists())
        self.client.force_login(self.office)
        self.assertEqual(self.client.get("/risks/settings/").status_code, 200)
        self.assertFalse(Policy.objects.exists())  # reading the settings sets nothing up

    def test_first_day_opens_one_assessment_per_business_department_once(self):
        with time_machine.travel(NEW_YEAR, tick=False):
            campaign = services.open_quarter(timezone.localdate())
            again = services.open_quarter(timezone.localdate())
        assert campaign is not None
        self.assertIsNone(again)
        self.assertEqual((campaign.year, campaign.quarter, campaign.kind), (2027, 1, "quarterly"))
        self.assertEqual(campaign.due_date, date(2027, 1, 20))  # the policy's day 20
        got = set(campaign.assessments.values_list("department__code", flat=True))
        self.assertEqual(got, {"MGMT", "CS", "CS-CALL", "SALES"})  # business, not TECH
        cs = campaign.assessments.get(department=self.cs)
        self.assertEqual(cs.co_department, self.tech)  # the technology department co-assesses
        opened = Message.objects.get(key=f"risk:{cs.pk}:opened")
        self.assertIn(self.head_person, recipients(opened))

    def test_turned_off_it_opens_nothing(self):
        services.policy_update(actor=self.office, auto_open=False)
        with time_machine.travel(NEW_YEAR, tick=False):
            self.assertIsNone(services.open_quarter(timezone.localdate()))
        self.assertFalse(Campaign.objects.exists())

    def test_by_hand_only_the_departments_without_one_and_with_a_reason(self):
        with time_machine.travel(NEW_YEAR, tick=False):
            services.open_quarter(timezone.localdate())
            new = org.department_create(actor=SYSTEM, code="NEW", name="新设部门")
            with self.assertRaises(DomainError) as refused:
                services.campaign_open(actor=self.office, year=2027, quarter=1, reason=" ")
            self.assertEqual(refused.exception.field, "reason")
            with self.assertRaises(AccessDenied):
                services.campaign_open(actor=self.head, year=2027, quarter=1, reason="改组")
            campaign = services.campaign_open(
                actor=self.office, year=2027, quarter=1, reason="改组"
            )
        self.assertEqual(list(campaign.assessments.values_list("department", flat=True)), [new.pk])
        self.assertEqual(Assessment.objects.filter(year=2027, quarter=1).count(), 5)


class LastQuarterCarriesOver(CastTestCase):
    def test_carried_over_until_rescored_then_changed_unchanged_new_or_closed(self):
        today = timezone.localdate()
        q1 = open_for(self.cs, 2027, 1)
        kept = add(q1, "排队机老化", owner=self.head_person)
        moved = add(q1, "客服系统漏洞", family="vulnerability", owner=self.head_person)
        gone = add(q1, "人员单点", family="people", owner=self.head_person)
        q1.delegates.add(self.sales_person)
        q2 = open_for(self.cs, 2027, 2)
        self.assertEqual(q2.previous, q1)
        carried = {r.title: r for r in q2.risks.all()}
        self.assertEqual({r.mark for r in carried.values()}, {Mark.CARRIED})
        self.assertEqual(carried["客服系统漏洞"].current_level, moved.current_level)  # scores kept
        self.assertEqual(list(q2.delegates.all()), [self.sales_person])
        with self.assertRaises(services.QualityErrors) as blocked:
            services.assessment_submit(actor=self.head, assessment=q2)
        codes = {f.code for f in blocked.exception.findings}
        self.assertIn("risk_carried_not_rescored", codes)

        services.risk_update(
            actor=self.head,
            risk=carried["排队机老化"],
            **{k: getattr(kept, k) for k in services.SCORE_FIELDS},
        )
        services.risk_update(
            actor=self.head,
            risk=carried["客服系统漏洞"],
            current_likelihood=4,
            current_impact=4,
            treatment_due=today + timedelta(days=9),
        )
        services.risk_close(actor=self.head, risk=carried["人员单点"], reason="已配 AB 角")
        fresh = add(q2, "台风停电", family="disaster", owner=self.head_person)
        marks = {r.title: r.mark for r in q2.risks.all()}
        self.assertEqual(
            marks,
            {
                "排队机老化": Mark.UNCHANGED,
                "客服系统漏洞": Mark.CHANGED,
                "人员单点": Mark.CLOSED,
                "台风停电": Mark.NEW,
            },
        )
        self.assertIsNotNone(gone.pk)
        self.assertEqual(fresh.mark, Mark.NEW)
        q3 = open_for(self.cs, 2027, 3)
        self.assertNotIn("人员单点", set(q3.risks.values_list("title", flat=True)))  # closed stays

    def test_a_carried_risk_is_closed_not_removed(self):
        q1 = open_for(self.cs, 2027, 1)
        add(q1, owner=self.head_person)
        q2 = open_for(self.cs, 2027, 2)
        with self.assertRaises(DomainError):
            services.risk_remove(actor=self.head, risk=q2.risks.get())
        with self.assertRaises(DomainError) as refused:
            services.risk_close(actor=self.head, risk=q2.risks.get(), reason="")
        self.assertEqual(refused.exception.field, "reason")


class ReviewByRole(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.assessment = open_for(self.cs)
        complete(self.assessment, self.head_person, timezone.localdate())

    def test_submit_return_with_comments_resubmit_approve_then_read_only(self):
        with self.assertRaises(AccessDenied):
            services.assessment_submit(actor=self.sales, assessment=self.assessment)
        services.assessment_submit(actor=self.head, assessment=self.assessment)
        self.assertEqual(self.refreshed(self.assessment).status, Status.SUBMITTED)
        with self.assertRaises(AccessDenied):
            services.assessment_approve(actor=self.office, assessment=self.assessment)
        risk = self.assessment.risks.order_by("pk")[0]
        with self.assertRaises(DomainError):
            services.assessment_return(actor=self.leader, assessment=self.assessment, comment="")
        services.assessment_return(
            actor=self.leader,
            assessment=self.assessment,
            comment="影响评分偏低",
            risk_comments={risk.pk: "补充资产"},
        )
        self.assertEqual(self.refreshed(self.assessment).status, Status.RETURNED)
        self.assertEqual(ReviewComment.objects.get(risk=risk).text, "补充资产")
        self.assertTrue(Message.objects.filter(event="risk.assessment_returned").exists())
        services.risk_update(actor=self.tech_head_or_admin(), risk=risk, description="补充")
        services.assessment_submit(actor=self.head, assessment=self.assessment)
        services.assessment_approve(actor=self.leader, assessment=self.assessment)
        done = self.refreshed(self.assessment)
        self.assertEqual((done.status, done.approved_by), (Status.DONE, self.leader))
        with self.assertRaises(DomainError) as frozen:
            services.risk_update(actor=self.head, risk=risk, title="改")
        self.assertEqual(frozen.exception.code, "conflict")
        with self.assertRaises(DomainError):
            services.assessment_approve(actor=self.leader, assessment=self.assessment)

    def tech_head_or_admin(self):
        """The technology department's head co-edits (the cast's admin stands in)."""
        return self.admin

    def test_a_delegate_edits_but_only_the_heads_submit(self):
        services.delegates_set(
            actor=self.head, assessment=self.assessment, people=[self.executor_person]
        )
        add(self.assessment, "容量", family="capacity", owner=self.head_person)
        services.risk_update(
            actor=self.executor,
            risk=self.assessment.risks.order_by("pk")[0],
            description="由代理人补充",
        )
        with self.assertRaises(AccessDenied):
            services.assessment_submit(actor=self.executor, assessment=self.assessment)
        with self.assertRaises(AccessDenied):
            services.delegates_set(actor=self.executor, assessment=self.assessment, people=[])


class QualityChecks(CastTestCase):
    """Each check, by its stable code."""

    def codes(self, assessment, today=None):
        from yingji.risks.quality import quality_check

        return [f.code for f in quality_check(assessment, today or timezone.localdate())]

    def test_each_check_finds_its_problem(self):
        today = timezone.localdate()
        a = open_for(self.cs)
        self.assertIn("assessment_empty", self.codes(a))
        add(a, "未评分", current_likelihood=None, current_impact=None)
        add(a, "剩余高于当前", residual_likelihood=3, residual_impact=3, owner=self.head_person)
        add(a, "降低无措施", treatment_plan="", treatment="accept")
        add(
            a,
            "高风险无人",
            current_likelihood=5,
            current_impact=5,
            inherent_likelihood=5,
            inherent_impact=5,
            treatment_plan="",
            owner=None,
        )
        add(
            a,
            "接受无批准",
            current_likelihood=4,
            current_impact=5,
            inherent_likelihood=4,
            inherent_impact=5,
            residual_likelihood=4,
            residual_impact=5,
            treatment="accept",
            treatment_plan="",
            owner=self.head_person,
        )
        add(a, "当前高于固有", inherent_likelihood=1, inherent_impact=1, owner=self.head_person)
        with self.assertRaises(DomainError) as no_owner:
            add(a, "有措施无人", owner=None)
        self.assertEqual(no_owner.exception.field, "owner")
        add(
            a,
            "中风险未定",
            current_likelihood=3,
            current_impact=3,
            residual_likelihood=3,
            residual_impact=3,
            treatment="",
            treatment_plan="",
            knowledge="",
        )
        overdue = add(a, "逾期", owner=self.head_person, treatment_due=today + timedelta(days=1))
        codes = self.codes(a, today + timedelta(days=3))
        for code in (
            "risk_not_scored",
            "residual_above_current",
            "residual_lowered_without_measure",
            "high_risk_no_owner",
            "high_risk_no_due",
            "accepted_without_acceptance",
            "current_above_inherent",
            "treatment_missing",
            "knowledge_unjustified",
            "treatment_due_past",
            "family_missing",
        ):
            self.assertIn(code, codes)
        self.assertIsNotNone(overdue)
        self.assertNotIn("assessment_empty", codes)

    def test_acceptance_clears_its_check_until_it_expires(self):
        today = timezone.localdate()
        a = open_for(self.cs)
        risk = add(
            a,
            "暴雨",
            family="disaster",
            current_likelihood=4,
            current_impact=5,
            inherent_likelihood=4,
            inherent_impact=5,
            residual_likelihood=4,
            residual_impact=5,
            treatment="accept",
            treatment_plan="",
            owner=self.head_person,
        )
        with self.assertRaises(AccessDenied):
            services.acceptance_add(
                actor=self.head, risk=risk, expires=today + timedelta(days=300), note="概率低"
            )
        with self.assertRaises(DomainError) as too_long:
            services.acceptance_add(
                actor=self.leader, risk=risk, expires=today + timedelta(days=800), note="概率低"
            )
        self.assertEqual(too_long.exception.field, "expires")
        services.acceptance_add(
            actor=self.leader, risk=risk, expires=today + timedelta(days=300), note="概率低"
        )
        self.assertNotIn("accepted_without_acceptance", self.codes(a))
        self.assertIn("acceptance_expired", self.codes(a, today + timedelta(days=301)))
        self.assertNotIn("acceptance_expires_soon", self.codes(a))
        self.assertIn("acceptance_expires_soon", self.codes(a, today + timedelta(days=150)))

    def test_an_asset_with_no_risk_for_a_year_is_warned_about(self):
        from yingji.monitoring import services as monitoring

        asset = monitoring.asset_create(
            actor=SYSTEM, code="CC-1", name="排队机", kind="server", owner_department=self.cs
        )
        a = open_for(self.cs)
        add(a, owner=self.head_person)
        self.assertIn("asset_not_assessed", self.codes(a))
        services.risk_update(actor=self.head, risk=a.risks.get(), assets=[asset.pk])
        self.assertNotIn("asset_not_assessed", self.codes(a))

    def test_submission_lists_every_blocking_problem_and_changes_nothing(self):
        a = open_for(self.cs)
        add(a, "未评分", current_likelihood=None, current_impact=None)
        add(
            a,
            "高风险无人",
            current_likelihood=5,
            current_impact=5,
            inherent_likelihood=5,
            inherent_impact=5,
            treatment_plan="",
            owner=None,
        )
        with self.assertRaises(services.QualityErrors) as refused:
            services.assessment_submit(actor=self.head, assessment=a)
        self.assertGreaterEqual(len(refused.exception.findings), 3)
        self.assertTrue(all(f.blocking for f in refused.exception.findings))
        self.assertEqual(self.refreshed(a).status, Status.IN_PROGRESS)


class ScoresAndMatrices(CastTestCase):
    def test_a_score_off_the_matrix_is_refused_with_its_field(self):
        a = open_for(self.cs)
        with self.assertRaises(DomainError) as refused:
            add(a, current_likelihood=6)
        self.assertEqual(refused.exception.field, "current_likelihood")
        with self.assertRaises(DomainError) as half:
            add(a, residual_likelihood=None)
        self.assertEqual(half.exception.field, "residual_likelihood")
        with self.assertRaises(DomainError) as text:
            add(a, current_impact="三")
        self.assertEqual(text.exception.field, "current_impact")
        self.assertFalse(a.risks.exists())

    def test_a_matrix_in_use_is_kept_and_the_change_becomes_a_new_version(self):
        a = open_for(self.cs)
        matrix = a.matrix
        definition = {**matrix.definition, "grid": [[4] * 5 for _ in range(5)]}
        successor = services.matrix_change(
            actor=self.office, matrix=matrix, name="", definition=definition
        )
        self.assertNotEqual(successor.pk, matrix.pk)
        self.assertEqual(successor.version, matrix.version + 1)
        self.assertEqual(self.refreshed(matrix).definition, matrix.definition)
        self.assertEqual(services.current_policy().matrix, successor)
        unused = services.shipped_matrix("3x3")
        same = services.matrix_change(
            actor=self.office, matrix=unused, name="三级", definition=unused.definition
        )
        self.assertEqual((same.pk, same.name), (unused.pk, "三级"))
        with self.assertRaises(DomainError) as bad:
            services.matrix_change(
                actor=self.office,
                matrix=unused,
                name="",
                definition={**unused.definition, "grid": [[9]]},
            )
        self.assertEqual(bad.exception.field, "definition")
        with self.assertRaises(AccessDenied):
            services.matrix_change(actor=self.head, matrix=unused, name="", definition={})

    def test_the_three_shipped_matrices_grade_the_corners(self):
        for key, size, top in (("5x5", 5, "很高"), ("4x4", 4, "很高"), ("3x3", 3, "高")):
            shape = services.shipped_matrix(key).shape
            self.assertEqual(shape.size, (size, size))
            lowest, highest = shape.level(1, 1), shape.level(size, size)
            assert lowest is not None and highest is not None
            self.assertEqual(lowest.index, 0)
            self.assertEqual(highest.names["zh-hans"], top)
            self.assertTrue(highest.unacceptable)


class Projects(CastTestCase):
    def test_not_ready_for_go_live_before_its_assessment_is_approved(self):
        today = timezone.localdate()
        project = services.project_create(
            actor=self.office,
            code="RD-1",
            name="新核心",
            department=self.tech,
            go_live=today + timedelta(days=60),
        )
        assessment = project.assessment
        self.assertEqual(assessment.due_date, today + timedelta(days=46))
        with self.assertRaises(DomainError) as refused:
            services.project_status(actor=self.office, project=project, status="ready")
        self.assertEqual(refused.exception.field, "status")
        complete(assessment, self.expert_person, today)
        services.assessment_submit(actor=self.admin, assessment=assessment)
        services.assessment_approve(actor=self.leader, assessment=assessment)
        services.project_status(actor=self.office, project=project, status="ready")
        self.assertEqual(self.refreshed(project).status, "ready")


class Reminders(CastTestCase):
    def test_before_on_and_after_the_due_date_each_once_with_the_office_when_late(self):
        a = open_for(self.cs, 2027, 1)  # due 2027-01-20; the policy reminds 7 and 1 days before
        with time_machine.travel(local(date(2027, 1, 10)), tick=False):
            self.assertEqual(services.remind_open_assessments(timezone.localdate()), 0)
        for day, key in ((13, "due:7"), (19, "due:1"), (20, "due:0"), (21, "overdue")):
            with time_machine.travel(local(date(2027, 1, day)), tick=False):
                self.assertEqual(services.remind_open_assessments(timezone.localdate()), 1)
                self.assertEqual(services.remind_open_assessments(timezone.localdate()), 0)
            self.assertTrue(Message.objects.filter(key=f"risk:{a.pk}:{key}").exists())
        late = Message.objects.get(key=f"risk:{a.pk}:overdue")
        self.assertIn(self.office_person, recipients(late))


class EnginesRacing(TransactionTestCase):
    """Several engines open the quarter at once: exactly one campaign, one assessment each."""

    def test_four_engines_open_one_campaign(self):
        cast = build_cast()
        services.policy_update(actor=cast["office"], due_day=20)
        errors: list[Exception] = []

        def run() -> None:
            try:
                services.open_quarter(date(2027, 4, 1))
            except Exception as exc:  # reported to the test below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        self.assertEqual(Campaign.objects.filter(year=2027, quarter=2).count(), 1)
        per_department = Assessment.objects.filter(year=2027, quarter=2).values_list(
            "department", flat=True
        )
        self.assertEqual(len(per_department), len(set(per_department)))
        self.assertEqual(len(per_department), 4)


class SavingUnchanged(CastTestCase):
    def test_saving_the_same_links_and_delegates_records_nothing(self):
        from yingji.audit.models import AuditEvent

        a = open_for(self.cs)
        risk = add(a, owner=self.head_person)
        services.links_set(actor=self.head, risk=risk, links=[])
        services.delegates_set(actor=self.head, assessment=a, people=[])
        self.assertFalse(
            AuditEvent.objects.filter(
                action__in=["risk.item.links", "risk.assessment.delegates"]
            ).exists()
        )
        services.delegates_set(actor=self.head, assessment=a, people=[self.sales_person])
        self.assertEqual(AuditEvent.objects.filter(action="risk.assessment.delegates").count(), 1)
