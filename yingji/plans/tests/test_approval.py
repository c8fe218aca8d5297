"""R-PLAN-1..2: a plan is written as structured data, reviewed, approved by the leadership
group (one member or a quorum), and never changed in place once approved."""

from datetime import date

from django.test import override_settings
from django.utils import timezone

from yingji.audit.models import AuditEvent
from yingji.core.actors import SYSTEM
from yingji.core.errors import AccessDenied, DomainError
from yingji.notify.models import Message
from yingji.org import services as org_services
from yingji.org.choices import MemberRole
from yingji.org.testing import CastTestCase
from yingji.plans import services
from yingji.plans.choices import VersionStatus
from yingji.plans.models import Plan, PlanVersion

STEPS = [
    {
        "title": "确认故障范围",
        "group": "expert",
        "when": "接报后 10 分钟内",
        "checklist": ["查看监控", "确认影响客户数"],
        "expected_minutes": 10,
    },
    {"title": "切换备用系统", "group": "execution", "after": 1, "where": "同城灾备中心"},
    {"title": "通报全员", "group": "office", "after": 2},
]


class PlanTestCase(CastTestCase):
    def draft(self, **fields) -> PlanVersion:
        plan = services.plan_create(
            actor=self.office,
            code=fields.pop("code", "ZX-01"),
            title="信息系统故障专项应急预案",
            tier="special",
            category="information_system",
            owner_department=self.tech,
        )
        version = plan.versions.get()
        services.version_update(
            actor=self.expert,
            version=version,
            scope="核心业务系统",
            criteria=[["interruption_minutes", ">", 60]],
            group_duties=[{"group": "execution", "duties": "切换与恢复"}],
        )
        services.steps_set(actor=self.expert, version=version, steps=STEPS)
        return version

    def to_approval(self, version: PlanVersion) -> PlanVersion:
        services.version_transition(actor=self.expert, version=version, action="submit")
        return services.version_transition(
            actor=self.office, version=version, action="send_for_approval"
        )


class WritingAPlan(PlanTestCase):
    def test_a_plan_is_structured_steps_criteria_and_duties(self):
        version = self.draft()
        self.assertEqual(version.criteria, [["interruption_minutes", ">", 60]])
        self.assertEqual(
            [s.title for s in version.steps.all()], ["确认故障范围", "切换备用系统", "通报全员"]
        )
        self.assertEqual(version.steps.get(position=1).checklist, ["查看监控", "确认影响客户数"])

    def test_bad_steps_and_criteria_are_refused_with_a_clear_message(self):
        version = self.draft()
        for steps, words in (
            ([{"title": "", "group": "expert"}], "say what is done"),
            ([{"title": "x", "group": "weather"}], "which group"),
            ([{"title": "x", "group": "expert", "after": 1}], "earlier step"),
            (
                [
                    {"title": "a", "group": "expert", "after": 2},
                    {"title": "b", "group": "expert", "after": 1},
                ],
                "earlier step",
            ),
        ):
            with self.subTest(steps=steps), self.assertRaises(DomainError) as caught:
                services.steps_set(actor=self.expert, version=version, steps=steps)
            self.assertIn(words, str(caught.exception.message))
        self.assertEqual(version.steps.count(), 3)  # nothing half-changed
        with self.assertRaises(DomainError):
            services.version_update(
                actor=self.expert, version=version, criteria=[["uptime", ">", 1]]
            )

    def test_yingji_itself_may_write_a_plan_with_no_author(self):
        plan = services.plan_create(
            actor=SYSTEM,
            code="ZH-01",
            title="综合应急预案",
            tier="comprehensive",
            owner_department=self.tech,
        )
        self.assertIsNone(plan.versions.get().author)

    def test_who_may_write(self):
        with self.assertRaises(AccessDenied):
            services.plan_create(
                actor=self.staff,
                code="X",
                title="t",
                tier="special",
                category="other",
                owner_department=self.tech,
            )
        version = self.draft()
        with self.assertRaises(AccessDenied):
            services.version_update(actor=self.executor, version=version, scope="x")


class ApprovingAPlan(PlanTestCase):
    def test_review_approval_publishes_and_tells_the_groups_named(self):
        version = self.to_approval(self.draft())
        self.assertEqual(version.status, VersionStatus.PENDING_APPROVAL)
        with self.assertRaises(AccessDenied):
            services.version_approve(actor=self.office, version=version)
        services.version_approve(actor=self.leader, version=version, comment="同意")
        version.refresh_from_db()
        self.assertEqual(version.status, VersionStatus.APPROVED)
        plan = Plan.objects.get()
        approved = timezone.localdate(version.approved_at)
        self.assertEqual(plan.review_due, services.review_due_after(approved, 12))
        message = Message.objects.get(key=f"plan:{plan.pk}:published:1")
        told = set(
            message.deliveries.filter(channel=None).values_list("person__user__username", flat=True)
        )
        self.assertEqual(told, {"expert", "executor", "vendor", "office"})

    def test_an_approved_version_never_changes_in_place_and_the_attempt_is_audited(self):
        version = self.to_approval(self.draft())
        services.version_approve(actor=self.leader, version=version)
        version.refresh_from_db()
        with self.assertRaises(DomainError) as caught:
            services.version_update(actor=self.expert, version=version, scope="改一下")
        self.assertEqual(caught.exception.code, "conflict")
        with self.assertRaises(DomainError):
            services.steps_set(actor=self.expert, version=version, steps=STEPS[:1])
        self.assertEqual(PlanVersion.objects.get(pk=version.pk).scope, "核心业务系统")
        self.assertEqual(AuditEvent.objects.filter(action="plan.version.change_refused").count(), 2)
        draft = services.version_new(actor=self.expert, plan=version.plan)
        self.assertEqual((draft.number, draft.status, draft.steps.count()), (2, "draft", 3))

    def test_a_new_approved_version_archives_the_old_one(self):
        first = self.to_approval(self.draft())
        services.version_approve(actor=self.leader, version=first)
        second = self.to_approval(services.version_new(actor=self.expert, plan=first.plan))
        services.version_approve(actor=self.leader, version=second)
        self.assertEqual(
            list(first.plan.versions.order_by("number").values_list("status", flat=True)),
            ["archived", "approved"],
        )

    def test_returned_with_comments_then_resubmitted(self):
        version = self.to_approval(self.draft())
        with self.assertRaises(DomainError):
            services.version_transition(actor=self.leader, version=version, action="return")
        services.version_transition(
            actor=self.leader, version=version, action="return", comment="补充数据恢复流程"
        )
        self.assertEqual(version.status, VersionStatus.RETURNED)
        services.version_update(actor=self.expert, version=version, data_recovery="从备份恢复")
        services.version_transition(actor=self.expert, version=version, action="submit")
        self.assertEqual(version.status, VersionStatus.IN_REVIEW)

    @override_settings(PLAN_APPROVAL_QUORUM=2)
    def test_with_a_quorum_of_two_one_approval_is_not_enough(self):
        second = org_services.person_create(
            actor=self.admin,
            username="leader2",
            password="x" * 12,
            employee_no="E0099",
            full_name="孙副总",
            department=self.mgmt,
        )
        org_services.membership_add(
            actor=self.admin, group=self.lead, person=second, role=MemberRole.DEPUTY_LEADER
        )
        version = self.to_approval(self.draft())
        services.version_approve(actor=self.leader, version=version)
        self.assertEqual(PlanVersion.objects.get(pk=version.pk).status, "pending_approval")
        services.version_approve(actor=self.leader, version=version)  # the same member again
        self.assertEqual(PlanVersion.objects.get(pk=version.pk).status, "pending_approval")
        services.version_approve(actor=second.user, version=version)
        self.assertEqual(PlanVersion.objects.get(pk=version.pk).status, "approved")

    def test_the_review_date_keeps_the_day_or_the_months_last_day(self):
        self.assertEqual(services.review_due_after(date(2026, 3, 31), 11), date(2027, 2, 28))
        self.assertEqual(services.review_due_after(date(2026, 11, 28), 12), date(2027, 11, 28))
