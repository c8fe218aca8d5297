"""Writing a plan in the pages: create it, edit the draft's text, duties and criteria, edit
the steps as rows, comment on sections, review it yearly or early (R-PLAN-1..3)."""

from datetime import date

import time_machine
from django.urls import reverse

from yingji.audit.models import AuditEvent
from yingji.core.errors import DomainError
from yingji.notify.models import Message
from yingji.plans import services
from yingji.plans.choices import ReviewOutcome, VersionStatus
from yingji.plans.models import Plan, PlanComment, PlanVersion
from yingji.plans.tests.test_approval import PlanTestCase


def step_rows(*rows, existing=0) -> dict:
    data = {
        "step-TOTAL_FORMS": str(len(rows)),
        "step-INITIAL_FORMS": str(existing),
        "step-MIN_NUM_FORMS": "0",
        "step-MAX_NUM_FORMS": "100",
    }
    for i, row in enumerate(rows):
        data.update({f"step-{i}-{name}": value for name, value in row.items()})
    return data


class EditingPages(PlanTestCase):
    def test_an_expert_creates_a_plan_and_writes_its_draft(self):
        self.login("expert")
        response = self.client.post(
            reverse("plans:create"),
            {
                "code": "YJ-XC-01",
                "title": "机房断电现场处置方案",
                "tier": "on_site",
                "category": "facility",
                "owner_department": self.tech.pk,
                "review_months": 6,
            },
        )
        plan = Plan.objects.get(code="YJ-XC-01")
        self.assertRedirects(response, reverse("plans:version_edit", args=[plan.pk, 1]))
        edit = reverse("plans:version_edit", args=[plan.pk, 1])
        response = self.client.post(
            edit,
            {
                "scope": "二号机房",
                "duty_execution": "切换电源",
                "duty_expert": "",
                "fact_0": "interruption_minutes",
                "op_0": ">=",
                "threshold_0": "30",
                "fact_1": "",
                "criteria_text": "UPS 续航不足 30 分钟",
                "data_recovery": "",
                "business_measures": "",
                "resources": "柴油发电机",
                "contacts": "",
            },
        )
        self.assertEqual(response.status_code, 302)
        version = plan.versions.get()
        self.assertEqual(version.group_duties, [{"group": "execution", "duties": "切换电源"}])
        self.assertEqual(version.criteria, [["interruption_minutes", ">=", 30]])
        self.assertEqual(version.resources, "柴油发电机")
        steps = reverse("plans:version_steps", args=[plan.pk, 1])
        response = self.client.post(
            steps,
            step_rows(
                {
                    "title": "确认断电范围",
                    "group": "execution",
                    "checklist": "看 UPS\n看配电柜",
                    "expected_minutes": "5",
                },
                {"title": "", "group": ""},  # an empty row is ignored
                {"title": "启动发电机", "group": "execution", "after": "1"},
            ),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            [(s.position, s.title, s.after) for s in version.steps.all()],
            [(1, "确认断电范围", None), (2, "启动发电机", 1)],
        )
        self.assertEqual(version.steps.get(position=1).checklist, ["看 UPS", "看配电柜"])
        page = self.client.get(reverse("plans:detail", args=[plan.pk]))
        self.assertContains(page, "启动发电机")
        self.assertContains(page, "Submit for review")

    def test_bad_rows_come_back_with_the_message_and_change_nothing(self):
        version = self.draft()
        self.login("expert")
        url = reverse("plans:version_steps", args=[version.plan.pk, 1])
        for rows, words in (
            (step_rows({"title": "a", "group": "expert", "after": "1"}), "earlier step"),
            (step_rows({"title": "a", "group": ""}), "which group"),
            (step_rows({"title": "a", "group": "expert", "expected_minutes": "-3"}), "attention"),
        ):
            with self.subTest(words=words):
                self.assertContains(self.client.post(url, rows), words, status_code=400)
        self.assertEqual(version.steps.count(), 3)
        edit = reverse("plans:version_edit", args=[version.plan.pk, 1])
        response = self.client.post(edit, {"fact_0": "interruption_minutes", "op_0": ">"})
        self.assertContains(response, "Give the threshold.")
        self.assertEqual(
            PlanVersion.objects.get(pk=version.pk).criteria, [["interruption_minutes", ">", 60]]
        )

    def test_who_may_edit_and_that_an_approved_version_is_never_edited(self):
        version = self.draft()
        edit = reverse("plans:version_edit", args=[version.plan.pk, 1])
        self.login("staff")
        self.assertEqual(self.client.get(edit).status_code, 403)
        self.assertEqual(self.client.get(reverse("plans:create")).status_code, 403)
        self.to_approval(version)
        services.version_approve(actor=self.leader, version=version)
        self.login("expert")
        response = self.client.post(edit, {"scope": "改"})
        self.assertContains(response, "cannot be changed", status_code=400)
        self.assertEqual(PlanVersion.objects.get(pk=version.pk).scope, "核心业务系统")


class Comments(PlanTestCase):
    def test_reviewers_comment_per_section_and_the_author_sees_them_there(self):
        version = self.to_approval(self.draft())
        self.login("leader")
        url = reverse("plans:comment", args=[version.plan.pk, 1])
        self.client.post(url, {"section": "data_recovery", "text": "请写明恢复时间目标 RTO"})
        services.version_transition(
            actor=self.leader, version=version, action="return", comment="见各章节意见"
        )
        comment = PlanComment.objects.get()
        self.assertEqual((comment.section, comment.by), ("data_recovery", self.leader))
        self.login("expert")
        page = self.client.get(reverse("plans:detail", args=[version.plan.pk])).content.decode()
        recovery = page.index("Data-recovery procedure")
        self.assertGreater(page.index("请写明恢复时间目标 RTO"), recovery)
        self.assertLess(page.index("请写明恢复时间目标 RTO"), page.index("Required resources"))
        self.login("staff")
        self.client.post(url, {"section": "scope", "text": "路人意见"})
        self.assertEqual(PlanComment.objects.count(), 1)
        with self.assertRaises(DomainError):
            services.comment_add(actor=self.expert, version=version, section="weather", text="x")


class Reviews(PlanTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.version = self.to_approval(self.draft())
        services.version_approve(actor=self.leader, version=self.version)
        self.plan = self.version.plan
        self.tech.head = self.expert_person
        self.tech.save(update_fields=["head"])

    def test_confirming_moves_the_due_date_a_cycle_from_the_review(self):
        Plan.objects.filter(pk=self.plan.pk).update(review_due=date(2027, 11, 1))
        url = reverse("plans:review", args=[self.plan.pk, "confirm"])
        with time_machine.travel("2027-11-20 10:00 +0800", tick=False):
            self.login("expert")  # a session from today would have expired by then
            self.client.post(url, {"note": ""})
            self.assertEqual(Plan.objects.get(pk=self.plan.pk).review_due, date(2027, 11, 1))
            self.client.post(url, {"note": "对照新上线的开放银行平台逐章核对，无需修改。"})
        plan = Plan.objects.get(pk=self.plan.pk)
        self.assertEqual(plan.review_due, date(2028, 11, 20))
        review = plan.reviews.get()
        self.assertEqual((review.outcome, review.version), (ReviewOutcome.CONFIRMED, self.version))
        self.assertTrue(AuditEvent.objects.filter(action="plan.review.confirm").exists())

    def test_revising_opens_a_draft_and_the_approved_version_stays_in_force(self):
        self.login("expert")
        self.client.post(
            reverse("plans:review", args=[self.plan.pk, "revise"]), {"note": "新增开放银行平台"}
        )
        statuses = dict(self.plan.versions.values_list("number", "status"))
        self.assertEqual(statuses, {1: VersionStatus.APPROVED, 2: VersionStatus.DRAFT})
        self.assertEqual(self.plan.reviews.get().outcome, ReviewOutcome.REVISED)
        copied = self.plan.versions.get(number=2).steps.values_list("title", flat=True)
        self.assertEqual(list(copied), ["确认故障范围", "切换备用系统", "通报全员"])

    def test_improvement_measures_bring_the_review_forward_and_tell_the_owner_once(self):
        with time_machine.travel("2027-03-01 10:00 +0800", tick=False):
            services.review_early(plan=self.plan, reason="演练发现切换手册缺少 DNS 步骤")
            plan = Plan.objects.get(pk=self.plan.pk)
            self.assertEqual(plan.review_due, date(2027, 3, 1))
            from yingji.engine.loop import Engine

            Engine().run_cycle()  # the reminder pass does not repeat the early notice
            self.login("expert")
            home = self.client.get("/")
            self.assertContains(home, "ZX-01")
            self.assertContains(home, "early review")
            self.login("staff")
            self.assertNotContains(self.client.get("/"), 'id="plan-reviews"')
        messages = Message.objects.filter(key__contains=":review:")
        self.assertEqual([m.event for m in messages], ["plan.review_early"])
        self.assertIn("DNS", messages.get().context["reason"])
