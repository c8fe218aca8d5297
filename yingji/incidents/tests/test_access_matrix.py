"""Each role x each step of the response: exactly the roles the regulation names may take it;
everyone else is refused and nothing changes (STYLE.md convention 7)."""

from django.db import transaction

from yingji.core.errors import AccessDenied
from yingji.incidents import services
from yingji.incidents.choices import Decision
from yingji.incidents.models import Incident
from yingji.incidents.tests.test_report_and_triage import T0
from yingji.incidents.tests.test_response_flow import ResponseTestCase

ROLES = (
    "admin",
    "leader",
    "office",
    "expert",
    "head",
    "executor",
    "staff",
    "vendor",
    "sales",
    "outsider",
)
TAKING_PART = {"leader", "office", "expert", "head", "executor", "staff", "vendor"}


class Undo(Exception):
    """Raised to roll a successful attempt back, so every role starts from the same state."""


class EachRoleEachStep(ResponseTestCase):
    def allowed(self, incident: Incident, step) -> set[str]:
        succeeded = set()
        for who in ROLES:
            fresh = Incident.objects.get(pk=incident.pk)
            try:
                with transaction.atomic():
                    step(self.cast[who], fresh)
                    raise Undo
            except Undo:
                succeeded.add(who)
            except AccessDenied:
                pass
        return succeeded

    def test_the_department_judges_a_report(self):
        incident = self.report()
        self.assertEqual(
            self.allowed(incident, lambda a, i: services.incident_escalate(actor=a, incident=i)),
            {"head", "staff"},  # the head and the deputy (AB role)
        )
        close = lambda a, i: services.incident_close_as_fault(actor=a, incident=i, reason="r")  # noqa: E731
        self.assertEqual(self.allowed(incident, close), {"head", "staff"})

    def test_the_leadership_group_decides_and_the_experts_and_heads_state_facts(self):
        incident = self.escalated()
        watch = lambda a, i: services.incident_decide(  # noqa: E731
            actor=a, incident=i, decision=Decision.WATCH, meeting_at=T0
        )
        self.assertEqual(self.allowed(incident, watch), {"leader"})
        facts = lambda a, i: services.incident_set_facts(actor=a, incident=i, affected_users=5)  # noqa: E731
        self.assertEqual(self.allowed(incident, facts), {"leader", "expert", "head", "staff"})
        regrade = lambda a, i: services.incident_regrade(actor=a, incident=i, grade="I", reason="r")  # noqa: E731
        self.assertEqual(self.allowed(incident, regrade), {"leader", "expert"})

    def test_handling_by_role(self):
        incident = self.activated()
        steps = {
            "handling plan": (
                lambda a, i: services.handling_plan_revise(
                    actor=a, incident=i, analysis="a", plan="p"
                ),
                {"expert"},
            ),
            "task": (
                lambda a, i: services.task_create(actor=a, incident=i, title="t"),
                {"expert", "leader"},
            ),
            "progress": (
                lambda a, i: services.progress_report(actor=a, incident=i, done="d"),
                TAKING_PART,
            ),
            "support": (
                lambda a, i: services.support_request(actor=a, incident=i, text="t"),
                TAKING_PART,
            ),
            "participant": (
                lambda a, i: services.participant_add(
                    actor=a, incident=i, person=self.sales_person
                ),
                {"leader", "expert"},
            ),
            "recommend end": (
                lambda a, i: services.incident_recommend_end(
                    actor=a, incident=i, performance_normal=True, business_stable=True
                ),
                {"expert"},
            ),
        }
        for name, (step, expected) in steps.items():
            with self.subTest(step=name):
                self.assertEqual(self.allowed(incident, step), expected)

    def test_working_on_a_task_is_for_its_assignee_the_experts_and_the_leadership(self):
        incident = self.activated()
        task = services.task_create(
            actor=self.expert, incident=incident, title="t", assignee=self.vendor_person
        )
        update = lambda a, i: services.task_update(actor=a, task=task, revision=0, status="doing")  # noqa: E731
        self.assertEqual(self.allowed(incident, update), {"vendor", "expert", "leader"})

    def test_the_leadership_group_orders_the_end_or_sends_it_back(self):
        incident = self.activated()
        services.incident_recommend_end(
            actor=self.expert, incident=incident, performance_normal=True, business_stable=True
        )
        end = lambda a, i: services.incident_end(actor=a, incident=i)  # noqa: E731
        self.assertEqual(self.allowed(incident, end), {"leader"})
        resume = lambda a, i: services.incident_resume(actor=a, incident=i, reason="r")  # noqa: E731
        self.assertEqual(self.allowed(incident, resume), {"leader"})
        # Every refusal and every undone success left the recommendation in place.
        self.assertIsNotNone(Incident.objects.get(pk=incident.pk).end_recommended_at)
