"""The command page: each role sees its next step with its form, the steps work through
plain POSTs, refusals come back as messages (never a 500), and the page's cost does not grow
with the incident's history."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from yingji.accounts.services import token_create
from yingji.core.errors import DomainError
from yingji.engine.loop import Engine
from yingji.incidents import services
from yingji.incidents.choices import Status, TaskStatus
from yingji.incidents.models import Incident, Task
from yingji.incidents.tests.test_report_and_triage import T0
from yingji.incidents.tests.test_response_flow import ResponseTestCase
from yingji.notify.models import Delivery, Message


def url(name: str, incident: Incident, *more: int) -> str:
    return reverse(f"incidents:{name}", args=[incident.pk, *more])


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


class TheLeadersDecision(ResponseTestCase):
    def test_the_leader_sees_the_recommendation_and_activates_from_the_page(self):
        services.grading_rule_save(
            actor=self.office, rule=None, grade="II", conditions=[["interruption_minutes", ">", 60]]
        )
        incident = self.escalated()
        services.incident_set_facts(actor=self.expert, incident=incident, interruption_minutes=90)
        self.login("leader")
        page = self.client.get(url("detail", incident))
        self.assertContains(page, "Hold the emergency meeting")
        self.assertContains(page, "activate, Level 2 response")
        now = timezone.now()
        response = self.client.post(
            url("decide", incident),
            {
                "meeting_at": local(now),
                "place": "指挥室",
                "decision": "activate",
                "plans": "信息系统故障专项应急预案",
                "response_level": "2",
                "criteria_met": ["II: core business interrupted (minutes) > 90"],
                "attendees": [self.leader_person.pk, self.expert_person.pk],
                "assemble_at": local(now + timedelta(minutes=15)),
                "assemble_place": "三楼",
                "all_staff": "on",
                "summary": "手机银行登录中断",
                "precautions": "请安抚客户",
            },
        )
        self.assertRedirects(response, url("detail", incident))
        incident.refresh_from_db()
        self.assertEqual(incident.status, Status.RESPONDING)
        assessment = incident.assessments.get()
        self.assertEqual(set(assessment.attendees.all()), {self.leader_person, self.expert_person})
        page = self.client.get(url("detail", incident))
        self.assertContains(page, "have confirmed the mobilisation notice")

    def test_a_decision_missing_its_level_comes_back_as_a_message(self):
        incident = self.escalated()
        self.login("leader")
        response = self.client.post(
            url("decide", incident),
            {
                "meeting_at": local(timezone.now()),
                "decision": "activate",
                "plans": "预案",
                "assemble_at": local(timezone.now()),
                "assemble_place": "三楼",
            },
            follow=True,
        )
        self.assertContains(response, "Choose the response level.")
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.ESCALATED)

    def test_others_may_not_decide(self):
        incident = self.escalated()
        data = {"meeting_at": local(timezone.now()), "decision": "watch"}
        for who, status in (("expert", 403), ("head", 403), ("executor", 403), ("sales", 404)):
            self.login(who)
            with self.subTest(who=who):
                self.assertEqual(
                    self.client.post(url("decide", incident), data).status_code, status
                )
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.ESCALATED)


class HandlingOnThePage(ResponseTestCase):
    def test_expert_assigns_vendor_ticks_and_reports_then_experts_and_leader_end_it(self):
        incident = self.activated()
        self.login("expert")
        self.client.post(
            url("handling_plan", incident), {"analysis": "认证库锁表", "plan": "切换备库"}
        )
        self.client.post(
            url("task_create", incident),
            {
                "title": "切换备用认证服务",
                "assignee": self.vendor_person.pk,
                "checklist": "确认备库同步\n切换 DNS",
            },
        )
        task = Task.objects.get()
        self.login("vendor")
        self.assertContains(self.client.get(reverse("incidents:my_tasks")), "切换备用认证服务")
        prefix = f"t{task.pk}-"
        self.client.post(
            url("task_update", incident, task.pk),
            {
                prefix + "revision": 0,
                prefix + "status": "done",
                prefix + "checked": [0, 1],
            },
        )
        task.refresh_from_db()
        self.assertEqual(task.status, TaskStatus.DONE)
        self.client.post(url("progress", incident), {"done": "已切换", "current": "登录正常"})
        self.assertTrue(incident.progress.exists())
        self.login("expert")
        self.client.post(
            url("recommend_end", incident),
            {
                "performance_normal": "on",
                "business_stable": "on",
                "residual_risks": "无",
            },
        )
        self.login("leader")
        self.assertContains(self.client.get(url("detail", incident)), "Order the end")
        self.client.post(url("end", incident), {"all_staff": "on", "summary": "已恢复"})
        incident.refresh_from_db()
        self.assertEqual(incident.status, Status.ENDED)
        page = self.client.get(url("detail", incident))
        self.assertContains(page, "Handling plan, version 1")
        self.assertNotContains(page, "Your next step")

    def test_a_stale_task_form_is_refused_with_a_message_and_keeps_the_newer_change(self):
        incident = self.activated()
        task = services.task_create(
            actor=self.expert,
            incident=incident,
            title="t",
            assignee=self.executor_person,
            checklist=["a"],
        )
        services.task_update(actor=self.executor, task=task, revision=0, status="doing")
        self.login("expert")
        prefix = f"t{task.pk}-"
        response = self.client.post(
            url("task_update", incident, task.pk),
            {
                prefix + "revision": 0,
                prefix + "status": "blocked",
            },
            follow=True,
        )
        self.assertContains(response, "Someone else has just changed this task")
        self.assertEqual(Task.objects.get().status, TaskStatus.DOING)

    def test_the_live_part_shows_new_progress_and_receipts(self):
        incident = self.activated()
        self.login("leader")
        before = self.client.get(url("live", incident))
        self.assertContains(before, "0 of 5 have confirmed")
        Delivery.objects.filter(
            message__key__startswith=f"incident:{incident.pk}:incident.mobilised",
            person=self.executor_person,
        ).update(confirmed_at=timezone.now())
        services.progress_report(actor=self.executor, incident=incident, done="正在切换")
        after = self.client.get(url("live", incident))
        self.assertContains(after, "1 of 5 have confirmed")
        self.assertContains(after, "正在切换")
        self.assertNotContains(after, "<html")

    def test_the_command_page_costs_the_same_queries_with_a_long_history(self):
        incident = self.activated()
        self.login("expert")
        with CaptureQueriesContext(connection) as short:
            self.client.get(url("detail", incident))
        for i in range(15):
            services.task_create(
                actor=self.expert, incident=incident, title=f"t{i}", assignee=self.executor_person
            )
            services.progress_report(actor=self.executor, incident=incident, done=f"p{i}")
        with CaptureQueriesContext(connection) as long:
            self.client.get(url("detail", incident))
        self.assertEqual(len(long), len(short))


class ConfidentialStaysInside(ResponseTestCase):
    def test_outsiders_see_it_nowhere(self):
        incident = self.activated(confidential=True, title="客户数据被拖库")
        services.task_create(actor=self.expert, incident=incident, title="封堵", assignee=None)
        self.login("sales")
        for page in (url("detail", incident), url("live", incident)):
            self.assertEqual(self.client.get(page).status_code, 404)
        self.assertNotContains(self.client.get(reverse("incidents:list")), "拖库")
        found = self.client.get(reverse("incidents:list"), {"q": "拖库"})
        self.assertEqual(list(found.context["rows"]), [])  # search finds nothing either
        self.login("leader")
        found = self.client.get(reverse("incidents:list"), {"q": "拖库"})
        self.assertEqual([i.pk for i in found.context["rows"]], [incident.pk])
        self.login("sales")
        self.assertNotContains(self.client.get("/"), "拖库")
        self.assertNotContains(self.client.get(reverse("incidents:my_tasks")), "拖库")
        self.assertEqual(self.client.get(f"/api/v1/incidents/{incident.pk}/").status_code, 404)
        self.assertNotIn("拖库", str(self.client.get("/api/v1/incidents/").json()))


class OneAnswerToWhoMay(ResponseTestCase):
    """The page shows a form exactly when the service (and so the API) would accept it."""

    def test_the_judging_head_sets_facts_on_the_page_as_through_the_api(self):
        incident = self.report()  # the head judges it now (R-RESP-2)
        self.login("head")
        page = self.client.get(url("detail", incident))
        self.assertTrue("facts_form" in page.context)
        self.assertFalse("regrade_form" in page.context)  # the leadership and experts regrade
        api = self.api("head").post(
            f"/api/v1/incidents/{incident.pk}/facts/", {"affected_users": 1200}, format="json"
        )
        self.assertEqual(api.status_code, 200, api.content)
        theirs = self.report(who="sales")  # a reporter neither sees the form nor may set facts
        self.login("sales")
        page = self.client.get(url("detail", theirs))
        self.assertEqual(page.status_code, 200)
        self.assertFalse("facts_form" in page.context)
        refused = self.api("sales").post(
            f"/api/v1/incidents/{theirs.pk}/facts/", {"affected_users": 5}, format="json"
        )
        self.assertEqual(refused.status_code, 403)

    def api(self, who: str) -> APIClient:
        _token, raw = token_create(actor=self.cast[who], user=self.cast[who], name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    def test_no_form_on_a_closed_incident(self):
        incident = self.report()
        services.incident_close_as_fault(actor=self.head, incident=incident, reason="误报")
        self.login("leader")
        page = self.client.get(url("detail", incident))
        for form in ("facts_form", "regrade_form", "participant_form", "attachment_form"):
            self.assertFalse(form in page.context, form)


class TasksCloseWithTheIncident(ResponseTestCase):
    """R-END-1/2: no task outlives the incident silently."""

    def tasks(self, incident: Incident) -> tuple[Task, Task, Task]:
        make = lambda title, **more: services.task_create(  # noqa: E731
            actor=self.expert, incident=incident, title=title, assignee=self.executor_person, **more
        )
        return make("切换备库"), make("通知客户"), make("复盘日志")

    def evaluation(self, **more) -> dict:
        return {"performance_normal": "on", "business_stable": "on", **more}

    def test_recommending_the_end_settles_every_open_task_on_the_page(self):
        incident = self.activated()
        done, cancelled, carried = self.tasks(incident)
        self.login("expert")
        page = self.client.get(url("detail", incident))
        self.assertContains(page, "Open task: 切换备库")
        undecided = self.client.post(url("recommend_end", incident), self.evaluation(), follow=True)
        self.assertContains(undecided, "Say for each open task")
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.RESPONDING)
        no_reason = self.evaluation(
            **{
                f"task_{done.pk}": "done",
                f"task_{cancelled.pk}": "cancelled",
                f"task_{carried.pk}": "carried_over",
                f"reason_{carried.pk}": "重建时处理",
            }
        )
        refused = self.client.post(url("recommend_end", incident), no_reason, follow=True)
        self.assertContains(refused, "Say why 通知客户 is cancelled or carried over.")
        self.assertEqual(Task.objects.filter(status=TaskStatus.TODO).count(), 3)  # none changed
        settled = {**no_reason, f"reason_{cancelled.pk}": "客户已由客服通知"}
        self.client.post(url("recommend_end", incident), settled)
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.END_RECOMMENDED)
        statuses = dict(Task.objects.values_list("title", "status"))
        self.assertEqual(
            statuses, {"切换备库": "done", "通知客户": "cancelled", "复盘日志": "carried_over"}
        )
        self.assertEqual(Task.objects.get(pk=carried.pk).closing_reason, "重建时处理")
        self.login("executor")  # nothing left in My tasks
        self.assertEqual(list(self.client.get(reverse("incidents:my_tasks")).context["tasks"]), [])

    def test_the_end_is_refused_while_a_task_is_open_and_the_page_says_why(self):
        incident = self.activated()
        services.incident_recommend_end(
            actor=self.expert, incident=incident, performance_normal=True, business_stable=True
        )
        late = services.task_create(
            actor=self.expert, incident=incident, title="补充巡检", assignee=self.executor_person
        )
        self.login("leader")
        page = self.client.get(url("detail", incident))
        self.assertContains(page, 'id="open-tasks"')
        self.assertContains(page, "补充巡检")
        refused = self.client.post(url("end", incident), {"all_staff": "on"}, follow=True)
        self.assertContains(refused, "These tasks are still open: 补充巡检")
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.END_RECOMMENDED)
        with self.assertRaises(DomainError):
            services.incident_end(actor=self.leader, incident=incident)
        services.task_update(actor=self.executor, task=late, revision=0, status="done")
        services.incident_end(actor=self.leader, incident=incident)
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.ENDED)

    def test_the_api_settles_tasks_as_the_page_does(self):
        incident = self.activated()
        first, second, _third = self.tasks(incident)
        _token, raw = token_create(actor=self.expert, user=self.expert, name="api")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        body = {"performance_normal": True, "business_stable": True}
        missing = api.post(
            f"/api/v1/incidents/{incident.pk}/recommend-end/",
            {**body, "tasks": [{"task": first.pk, "outcome": "done"}]},
            format="json",
        )
        self.assertEqual(missing.status_code, 400)
        self.assertIn("复盘日志", missing.json()["detail"])
        all_three = [
            {"task": t.pk, "outcome": "carried_over", "reason": "恢复阶段"}
            for t in Task.objects.filter(incident=incident)
        ]
        ok = api.post(
            f"/api/v1/incidents/{incident.pk}/recommend-end/",
            {**body, "tasks": all_three},
            format="json",
        )
        self.assertEqual(ok.status_code, 201, ok.content)
        self.assertEqual(Task.objects.filter(status="carried_over").count(), 3)
        self.assertEqual(second.incident_id, incident.pk)

    def test_an_overdue_task_is_marked_and_chased_once(self):
        incident = self.activated()
        with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
            task = services.task_create(
                actor=self.expert,
                incident=incident,
                title="重启认证服务",
                assignee=self.executor_person,
                due_at=T0 + timedelta(minutes=45),
            )
        with time_machine.travel(T0 + timedelta(minutes=44), tick=False):
            Engine().run_cycle()
        self.assertFalse(Message.objects.filter(event="incident.task_overdue").exists())
        with time_machine.travel(T0 + timedelta(minutes=46), tick=False):
            Engine().run_cycle()
            Engine().run_cycle()
            self.login("executor")
            self.assertContains(self.client.get(reverse("incidents:my_tasks")), "overdue")
        chased = Message.objects.get(event="incident.task_overdue")
        people = set(chased.deliveries.filter(channel=None).values_list("person", flat=True))
        self.assertEqual(people, {self.executor_person.pk, self.expert_person.pk})
        services.task_update(actor=self.executor, task=task, revision=0, status="done")
        self.assertFalse(Task.objects.get(pk=task.pk).overdue)
