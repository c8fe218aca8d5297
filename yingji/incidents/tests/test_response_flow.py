"""R-ACT-1..R-END-2 through the services: the leadership group decides after a meeting, the
groups are mobilised and must confirm, the experts plan and recommend the end, executors
work tasks and report progress on a cadence the engine chases, and the leadership group
orders the end."""

from collections import Counter
from datetime import timedelta

import time_machine
from django.conf import settings
from django.utils import translation

from yingji.core.errors import AccessDenied, DomainError
from yingji.incidents import services
from yingji.incidents.choices import Decision, Status, TaskStatus
from yingji.incidents.models import Incident
from yingji.incidents.queries import visible_incidents
from yingji.incidents.tests.test_report_and_triage import T0, IncidentTestCase
from yingji.notify.models import Message
from yingji.notify.rendering import notice_for


class ResponseTestCase(IncidentTestCase):
    def escalated(self, **fields) -> Incident:
        incident = self.report(**fields)
        with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
            return services.incident_escalate(actor=self.head, incident=incident)

    def activated(self, level: str = "2", **fields) -> Incident:
        incident = self.escalated(**fields)
        with time_machine.travel(T0 + timedelta(minutes=20), tick=False):
            services.incident_decide(
                actor=self.leader,
                incident=incident,
                decision=Decision.ACTIVATE,
                meeting_at=T0 + timedelta(minutes=10),
                place="三楼应急指挥室",
                attendees=[self.leader_person, self.expert_person],
                minutes="核心系统登录中断",
                plans="信息系统故障专项应急预案",
                response_level=level,
                criteria_met=["核心业务中断 > 60 分钟"],
                assemble_at=T0 + timedelta(minutes=30),
                assemble_place="三楼应急指挥室",
            )
        return Incident.objects.get(pk=incident.pk)


class Activation(ResponseTestCase):
    def test_a_leader_activates_a_plan_and_every_group_member_must_confirm(self):
        incident = self.activated(level="2")
        self.assertEqual(incident.status, Status.RESPONDING)
        self.assertEqual(incident.response_level, "2")
        self.assertEqual(incident.activated_at, T0 + timedelta(minutes=20))
        self.assertEqual(incident.progress_due, T0 + timedelta(minutes=20 + 60))
        [assessment] = incident.assessments.all()
        self.assertEqual(assessment.decided_by, self.leader)
        self.assertEqual(assessment.criteria_met, ["核心业务中断 > 60 分钟"])
        mobilised = Message.objects.get(
            key__startswith=f"incident:{incident.pk}:incident.mobilised"
        )
        self.assertTrue(mobilised.require_receipt)
        self.assertEqual(
            self.notified(f"incident.mobilised:{assessment.pk}", incident),
            {"leader", "expert", "office", "executor", "vendor"},
        )
        self.assertEqual(incident.durations()["to_escalate"], 5 * 60)
        self.assertEqual(incident.durations()["to_activate"], 15 * 60)

    def test_someone_in_a_group_and_at_the_meeting_gets_one_mobilisation_notice(self):
        incident = self.escalated()
        services.incident_decide(
            actor=self.leader,
            incident=incident,
            decision=Decision.ACTIVATE,
            meeting_at=T0,
            attendees=[self.office_person, self.executor_person],  # in the office, in execution
            plans="信息系统故障专项应急预案",
            response_level="2",
            assemble_at=T0,
            assemble_place="三楼应急指挥室",
        )
        mobilised = Message.objects.get(
            key__startswith=f"incident:{incident.pk}:incident.mobilised"
        )
        inbox = list(mobilised.deliveries.filter(channel=None).values_list("person_id", flat=True))
        self.assertEqual(Counter(inbox)[self.office_person.pk], 1)
        self.assertEqual(set(Counter(inbox).values()), {1})

    def test_the_meeting_may_set_the_grade_and_acting_confirms_ones_own_receipts(self):
        incident = self.escalated(severity="III")
        services.incident_decide(
            actor=self.leader,
            incident=incident,
            decision=Decision.WATCH,
            meeting_at=T0,
            grade="II",
        )
        incident.refresh_from_db()
        self.assertEqual(incident.grade, "II")
        self.assertEqual(incident.timeline.get(action="regrade").text.split(":")[0], "III → II")
        escalated = Message.objects.get(key=f"incident:{incident.pk}:incident.escalated")
        mine = escalated.deliveries.get(channel=None, person=self.leader_person)
        others = escalated.deliveries.get(channel=None, person=self.expert_person)
        self.assertIsNotNone(mine.confirmed_at)  # the leader acted on it: no receipt chase
        self.assertIsNone(others.confirmed_at)

    def test_only_the_leadership_group_decides(self):
        incident = self.escalated()
        for who in ("head", "expert", "executor", "office", "staff"):
            with self.subTest(who=who), self.assertRaises(AccessDenied):
                services.incident_decide(
                    actor=self.cast[who],
                    incident=incident,
                    decision=Decision.WATCH,
                    meeting_at=T0,
                )
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.ESCALATED)

    def test_activation_needs_a_plan_a_level_and_an_assembly_point(self):
        incident = self.escalated()
        base = {
            "actor": self.leader,
            "incident": incident,
            "decision": Decision.ACTIVATE,
            "meeting_at": T0,
            "plans": "预案",
            "response_level": "1",
            "assemble_at": T0,
            "assemble_place": "指挥室",
        }
        for missing, field in (
            ({"plans": " "}, "plans"),
            ({"response_level": "5"}, "response_level"),
            ({"assemble_place": ""}, "assemble_place"),
            ({"meeting_at": T0 + timedelta(days=1)}, "meeting_at"),
        ):
            # The meeting is judged against now, so now is pinned just after T0.
            with (
                self.subTest(field=field),
                self.assertRaises(DomainError) as caught,
                time_machine.travel(T0 + timedelta(minutes=30), tick=False),
            ):
                services.incident_decide(**(base | missing))
            self.assertEqual(caught.exception.field, field)
        self.assertFalse(incident.assessments.exists())
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.ESCALATED)

    def test_keep_watching_then_activate_later(self):
        incident = self.escalated()
        services.incident_decide(
            actor=self.leader, incident=incident, decision=Decision.WATCH, meeting_at=T0
        )
        incident.refresh_from_db()
        self.assertEqual(incident.status, Status.WATCHING)
        services.incident_decide(
            actor=self.leader,
            incident=incident,
            decision=Decision.ACTIVATE,
            meeting_at=T0,
            plans="预案",
            response_level="3",
            assemble_at=T0,
            assemble_place="指挥室",
        )
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.RESPONDING)
        self.assertEqual(incident.assessments.count(), 2)

    def test_the_all_staff_notice_is_written_from_the_template_and_hides_a_confidential_title(
        self,
    ):
        services.notice_template_save(
            actor=self.office,
            kind="activation",
            title="应急响应启动：{title}",
            body="{level}。{summary}。注意：{precautions}",
        )
        incident = self.escalated(confidential=True, title="客户数据泄露")
        services.incident_decide(
            actor=self.leader,
            incident=incident,
            decision=Decision.ACTIVATE,
            meeting_at=T0,
            plans="网络安全事件专项预案",
            response_level="1",
            assemble_at=T0,
            assemble_place="指挥室",
            all_staff=True,
            summary="部分系统暂停服务",
            precautions="请勿点击可疑邮件",
        )
        message = Message.objects.get(key=f"incident:{incident.pk}:all_staff:activation")
        self.assertTrue(message.broadcast)
        self.assertNotIn("泄露", message.title + message.body)
        self.assertIn("请勿点击可疑邮件", message.body)
        self.assertEqual(message.deliveries.filter(channel=None).count(), 9)  # every person

    def test_each_reader_gets_the_all_staff_notice_in_their_language_whoever_sends_it(self):
        incident = self.escalated(title="手机银行中断")
        with translation.override("en"):  # the leader works in the English interface
            services.incident_decide(
                actor=self.leader,
                incident=incident,
                decision=Decision.ACTIVATE,
                meeting_at=T0,
                plans="信息系统专项预案",
                response_level="2",
                assemble_at=T0,
                assemble_place="指挥室",
                all_staff=True,
                summary="手机银行暂停服务",
            )
        message = Message.objects.get(key=f"incident:{incident.pk}:all_staff:activation")
        chinese, english = notice_for(message, "zh-hans"), notice_for(message, "en")
        self.assertEqual(chinese.title, "应急响应启动：手机银行中断")
        self.assertIn("二级响应", chinese.body)
        self.assertIn("手机银行暂停服务", chinese.body)
        self.assertEqual(english.title, "Emergency response activated: 手机银行中断")
        self.assertIn("Level 2 response", english.body)
        stored = notice_for(message, settings.LANGUAGE_CODE).title  # the organisation's language
        self.assertEqual(message.title, stored)

    def test_a_template_with_an_unknown_placeholder_is_refused(self):
        with self.assertRaises(DomainError) as caught:
            services.notice_template_save(actor=self.office, kind="end", title="{titel}", body="ok")
        self.assertEqual(caught.exception.field, "title")
        with self.assertRaises(AccessDenied):
            services.notice_template_save(actor=self.staff, kind="end", title="t", body="b")


class Grading(ResponseTestCase):
    def test_of_several_matching_rules_the_most_severe_grade_wins(self):
        services.grading_rule_save(
            actor=self.office, rule=None, grade="III", conditions=[["affected_users", ">=", 1000]]
        )
        services.grading_rule_save(
            actor=self.office,
            rule=None,
            grade="II",
            conditions=[["affected_regions", ">=", 2], ["interruption_minutes", ">", 60]],
        )
        incident = self.escalated()
        services.incident_set_facts(
            actor=self.expert,
            incident=incident,
            affected_users="50000",
            affected_regions=3,
            interruption_minutes=90,
        )
        advice = services.recommendation(Incident.objects.get(pk=incident.pk))
        self.assertEqual((advice["grade"], advice["level"]), ("II", "2"))
        self.assertEqual(len(advice["matched"]), 2)
        services.incident_set_facts(actor=self.expert, incident=incident, interruption_minutes=30)
        advice = services.recommendation(Incident.objects.get(pk=incident.pk))
        self.assertEqual(advice["grade"], "III")

    def test_bad_rules_and_facts_are_refused_with_the_field(self):
        for conditions in (
            [],
            [["weather", ">", 1]],
            [["loss_yuan", "~", 1]],
            [["loss_yuan", ">", -1]],
            [["loss_yuan", ">", "many"]],
        ):
            with self.subTest(conditions=conditions), self.assertRaises(DomainError):
                services.grading_rule_save(
                    actor=self.office, rule=None, grade="I", conditions=conditions
                )
        incident = self.escalated()
        with self.assertRaises(DomainError) as caught:
            services.incident_set_facts(actor=self.expert, incident=incident, loss_yuan="-5")
        self.assertEqual(caught.exception.field, "loss_yuan")

    def test_a_grade_changes_only_with_a_reason_and_it_is_on_the_timeline(self):
        incident = self.escalated(severity="III")
        with self.assertRaises(DomainError):
            services.incident_regrade(actor=self.leader, incident=incident, grade="I", reason="")
        with self.assertRaises(AccessDenied):
            services.incident_regrade(
                actor=self.executor, incident=incident, grade="I", reason="更严重"
            )
        services.incident_regrade(actor=self.leader, incident=incident, grade="I", reason="扩散")
        incident.refresh_from_db()
        self.assertEqual((incident.grade, incident.severity), ("I", "III"))
        entry = incident.timeline.get(action="regrade")
        self.assertEqual(entry.text, "III → I: 扩散")


class Handling(ResponseTestCase):
    def test_tasks_go_to_executors_and_vendors_who_must_confirm_and_may_work_on_them(self):
        incident = self.activated()
        task = services.task_create(
            actor=self.expert,
            incident=incident,
            title="切换备用认证服务",
            assignee=self.vendor_person,
            checklist=["确认备库同步", "切换 DNS", ""],
        )
        self.assertEqual(len(task.checklist), 2)
        self.assertEqual(self.notified(f"incident.task_assigned:{task.pk}", incident), {"vendor"})
        task = services.task_update(actor=self.vendor, task=task, revision=0, checked=[0])
        task = services.task_update(
            actor=self.vendor, task=task, revision=task.revision, status=TaskStatus.DONE
        )
        self.assertEqual([item["done"] for item in task.checklist], [True, False])
        self.assertIsNotNone(task.done_at)
        with self.assertRaises(DomainError) as caught:  # a stale page
            services.task_update(actor=self.expert, task=task, revision=0, checked=[1])
        self.assertEqual(caught.exception.code, "conflict")
        with self.assertRaises(AccessDenied):
            services.task_update(
                actor=self.sales, task=task, revision=task.revision, status=TaskStatus.TODO
            )

    def test_tasks_wait_for_activation(self):
        incident = self.escalated()
        with self.assertRaises(DomainError):
            services.task_create(actor=self.expert, incident=incident, title="x")

    def test_each_handling_plan_revision_is_kept_and_announced(self):
        incident = self.activated()
        services.handling_plan_revise(actor=self.expert, incident=incident, analysis="a", plan="p1")
        services.handling_plan_revise(actor=self.expert, incident=incident, analysis="a", plan="p2")
        self.assertEqual(
            list(incident.handling_plans.values_list("version", "plan")), [(2, "p2"), (1, "p1")]
        )
        self.assertIn("executor", self.notified("incident.handling_plan:2", incident))
        with self.assertRaises(AccessDenied):
            services.handling_plan_revise(
                actor=self.executor, incident=incident, analysis="a", plan="p"
            )

    def test_a_progress_report_reaches_leadership_and_experts_and_resets_the_cadence(self):
        incident = self.activated(level="1")
        with time_machine.travel(T0 + timedelta(minutes=40), tick=False):
            report = services.progress_report(
                actor=self.executor,
                incident=incident,
                done="已切换备库",
                current="登录恢复 80%",
                next_step="观察",
                eta=T0 + timedelta(hours=1),
            )
        self.assertEqual(
            self.notified(f"incident.progress:{report.pk}", incident), {"leader", "expert"}
        )
        incident.refresh_from_db()
        self.assertEqual(incident.progress_due, T0 + timedelta(minutes=40 + 30))
        with self.assertRaises(AccessDenied):
            services.progress_report(actor=self.sales, incident=incident, done="x")

    def test_the_engine_chases_a_late_progress_report_once_per_missed_report(self):
        incident = self.activated(level="1")  # every 30 minutes; due at T0+50
        self.run_engine_at(T0 + timedelta(minutes=49))
        self.assertFalse(incident.timeline.filter(action="progress_late").exists())
        self.run_engine_at(T0 + timedelta(minutes=50))
        self.run_engine_at(T0 + timedelta(minutes=51))
        self.assertEqual(incident.timeline.filter(action="progress_late").count(), 1)
        message = Message.objects.get(
            key__startswith=f"incident:{incident.pk}:incident.progress_late"
        )
        chased = set(
            message.deliveries.filter(channel=None).values_list("person__user__username", flat=True)
        )
        self.assertEqual(chased, {"executor", "vendor"})
        self.run_engine_at(T0 + timedelta(minutes=80))  # the next one missed too
        self.assertEqual(incident.timeline.filter(action="progress_late").count(), 2)

    def test_support_requests_reach_every_expert_and_new_participants_see_the_incident(self):
        incident = self.activated(confidential=True)
        services.participant_add(actor=self.expert, incident=incident, person=self.sales_person)
        self.assertTrue(visible_incidents(self.sales).filter(pk=incident.pk).exists())
        services.support_request(actor=self.sales, incident=incident, text="需要数据库专家")
        entry = incident.timeline.get(action="support")
        self.assertEqual(self.notified(f"incident.support:{entry.pk}", incident), {"expert"})


class TheEnd(ResponseTestCase):
    def test_experts_recommend_leadership_orders_the_end_and_everyone_is_told(self):
        incident = self.activated()
        with time_machine.travel(T0 + timedelta(hours=2), tick=False):
            services.incident_recommend_end(
                actor=self.expert,
                incident=incident,
                performance_normal=True,
                business_stable=True,
                residual_risks="备库容量偏小",
            )
        incident.refresh_from_db()
        self.assertEqual(incident.status, Status.END_RECOMMENDED)
        with time_machine.travel(T0 + timedelta(hours=3), tick=False):
            services.incident_end(actor=self.leader, incident=incident, summary="业务已恢复")
        incident.refresh_from_db()
        self.assertEqual(incident.status, Status.ENDED)
        self.assertEqual(
            incident.durations()["response"], int(timedelta(minutes=160).total_seconds())
        )
        self.assertIsNone(incident.progress_due)
        end = Message.objects.get(key=f"incident:{incident.pk}:all_staff:end")
        self.assertIn("业务已恢复", end.body)
        self.assertEqual(
            list(incident.timeline.exclude(to_status="").values_list("action", flat=True)),
            ["report", "escalate", "activate", "recommend_end", "end"],
        )

    def test_no_end_before_the_trial_run_is_over_and_the_leadership_may_send_it_back(self):
        incident = self.activated()
        services.incident_recommend_end(
            actor=self.expert,
            incident=incident,
            performance_normal=True,
            business_stable=True,
            trial_run_until=T0 + timedelta(days=1),
        )
        incident.refresh_from_db()
        with (
            time_machine.travel(T0 + timedelta(hours=5), tick=False),
            self.assertRaises(DomainError),
        ):
            services.incident_end(actor=self.leader, incident=incident)
        services.incident_resume(actor=self.leader, incident=incident, reason="试运行发现异常")
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.RESPONDING)

    def test_the_end_is_recommended_only_when_business_is_back(self):
        incident = self.activated()
        with self.assertRaises(DomainError):
            services.incident_recommend_end(
                actor=self.expert,
                incident=incident,
                performance_normal=True,
                business_stable=False,
            )
        with self.assertRaises(AccessDenied):
            services.incident_recommend_end(
                actor=self.leader,
                incident=incident,
                performance_normal=True,
                business_stable=True,
            )
