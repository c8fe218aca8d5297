"""R-ACT-1, R-HANDLE-1: the meeting sees the approved plans and their criteria against the
incident's facts; activating one records the version and turns its steps into tasks, once."""

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from yingji.accounts.services import token_create
from yingji.core.errors import DomainError
from yingji.incidents import services as incidents
from yingji.incidents.choices import Decision
from yingji.incidents.models import Task
from yingji.incidents.services.decide import _tasks_from_plans
from yingji.incidents.tests.test_report_and_triage import T0
from yingji.incidents.tests.test_response_flow import ResponseTestCase
from yingji.notify.models import Message
from yingji.plans import services
from yingji.plans.tests.test_approval import PlanTestCase


class ApprovedPlanTestCase(ResponseTestCase, PlanTestCase):
    def approved(self):
        version = self.to_approval(self.draft())
        return services.version_approve(actor=self.leader, version=version)


class ActivatingAPlan(ApprovedPlanTestCase):
    def activate(self, incident, *versions, decision=Decision.ACTIVATE):
        return incidents.incident_decide(
            actor=self.leader,
            incident=incident,
            decision=decision,
            meeting_at=T0,
            plan_versions=versions,
            response_level="2",
            assemble_at=T0,
            assemble_place="指挥室",
        )

    def test_the_meeting_sees_which_approved_plan_the_facts_meet(self):
        version = self.approved()
        incident = self.escalated()
        advice = incidents.recommendation(incident)
        self.assertEqual(advice["decision"], Decision.WATCH)
        self.assertEqual(advice["plans"][0]["criteria_met"], [])
        incidents.incident_set_facts(actor=self.expert, incident=incident, interruption_minutes=90)
        advice = incidents.recommendation(incident)
        self.assertEqual(advice["decision"], Decision.ACTIVATE)
        self.assertEqual(advice["recommended_plans"], [version.pk])
        self.assertIn("> 60", advice["plans"][0]["criteria_met"][0])

    def test_activation_records_the_version_and_makes_each_step_a_task_once(self):
        version = self.approved()
        incident = self.escalated()
        assessment = self.activate(incident, version)
        self.assertEqual(list(assessment.plan_versions.all()), [version])
        self.assertIn("ZX-01", assessment.plans)
        tasks = list(Task.objects.filter(incident=incident).order_by("plan_step__position"))
        self.assertEqual(
            [t.title for t in tasks], ["1. 确认故障范围", "2. 切换备用系统", "3. 通报全员"]
        )
        # each to the leader of the group that does it, with its checklist and due time
        self.assertEqual(
            [t.assignee.user.username for t in tasks if t.assignee],
            ["expert", "executor", "office"],
        )
        self.assertEqual([i["text"] for i in tasks[0].checklist], ["查看监控", "确认影响客户数"])
        due = tasks[0].due_at
        assert due is not None
        self.assertLess(due - tasks[0].created_at, timedelta(minutes=11))
        # every assignment is announced, as for a task made by hand, and must be confirmed
        for task in tasks:
            told = Message.objects.get(
                key=f"incident:{incident.pk}:incident.task_assigned:{task.pk}"
            )
            self.assertTrue(told.require_receipt)
            self.assertEqual(
                list(told.deliveries.filter(channel=None).values_list("person", flat=True)),
                [task.assignee_id],
            )
        # Idempotent: the same plan's steps never become a second set of tasks or notices.
        _tasks_from_plans(incident, [version], self.leader)
        self.assertEqual(Task.objects.filter(incident=incident).count(), 3)
        self.assertEqual(Message.objects.filter(key__contains="incident.task_assigned").count(), 3)

    def test_only_an_approved_version_can_be_activated(self):
        draft = self.draft(code="ZX-02")
        incident = self.escalated()
        with self.assertRaises(DomainError) as caught:
            self.activate(incident, draft)
        self.assertEqual(caught.exception.field, "plan_versions")
        self.assertFalse(Task.objects.exists())

    def test_the_incident_page_shows_the_activated_plan_alongside_with_each_steps_task(self):
        version = self.approved()
        incident = self.escalated()
        self.activate(incident, version)
        task = Task.objects.get(incident=incident, plan_step__position=2)
        incidents.task_update(
            actor=self.executor, task=task, revision=task.revision, status="doing"
        )
        self.login("expert")
        page = self.client.get(f"/incidents/{incident.pk}/live/").content.decode()
        section = page[page.index(f'id="plan-{version.pk}"') :]
        self.assertIn("ZX-01 信息系统故障专项应急预案 v1", section)
        self.assertIn("切换备用系统", section)
        self.assertIn(f'href="#task-{task.pk}"', section)
        self.assertIn(str(task.get_status_display()), section)


class ActivatingThroughTheApi(ApprovedPlanTestCase):
    """What the decision form does, the API does: the version is linked, its steps tasks."""

    def test_a_decision_through_the_api_activates_the_approved_version(self):
        version = self.approved()
        incident = self.escalated()
        _token, raw = token_create(actor=self.leader, user=self.leader, name="api")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        listed = api.get(f"/api/v1/plans/{version.plan_id}/versions/").json()
        approved = [v["id"] for v in listed if v["status"] == "approved"]
        self.assertEqual(approved, [version.pk])
        decided = api.post(
            f"/api/v1/incidents/{incident.pk}/decide/",
            {
                "decision": "activate",
                "meeting_at": timezone.now().isoformat(),
                "plan_versions": approved,
                "response_level": "2",
                "assemble_at": (timezone.now() + timedelta(minutes=20)).isoformat(),
                "assemble_place": "指挥室",
            },
            format="json",
        )
        self.assertEqual(decided.status_code, 201, decided.content)
        self.assertEqual(decided.json()["plan_versions"], [version.pk])
        self.assertIn("ZX-01", decided.json()["plans"])  # the plans named from the versions
        self.assertEqual(Task.objects.filter(incident=incident, plan_step__isnull=False).count(), 3)

    def test_a_draft_version_is_refused_through_the_api_too(self):
        draft = self.draft(code="ZX-02")
        incident = self.escalated()
        _token, raw = token_create(actor=self.leader, user=self.leader, name="api")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        refused = api.post(
            f"/api/v1/incidents/{incident.pk}/decide/",
            {
                "decision": "activate",
                "meeting_at": timezone.now().isoformat(),
                "plan_versions": [draft.pk],
                "response_level": "2",
                "assemble_at": timezone.now().isoformat(),
                "assemble_place": "指挥室",
            },
            format="json",
        )
        self.assertEqual(refused.status_code, 400, refused.content)
        self.assertIn("plan_versions", refused.content.decode())
        self.assertFalse(Task.objects.exists())
