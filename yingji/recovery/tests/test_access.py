"""Who may do what in the after-phase: one role × action table, answered by the pages and
the API alike (their status codes), never by a page showing what the API refuses."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from yingji.org.testing import CastTestCase
from yingji.recovery.models import RecoveryPlan, SummaryReport
from yingji.recovery.services import measures
from yingji.recovery.tests.helpers import ended_incident

ROLES = ("leader", "office", "expert", "head", "executor", "staff", "sales", "vendor", "outsider")
# role: (sees the after-phase, writes the CS plan, approves it, writes the cause, verifies)
EXPECTED = {
    "leader": (True, False, False, False, True),
    "office": (True, True, False, True, True),
    "expert": (True, False, False, True, False),
    "head": (True, True, True, False, False),
    "executor": (True, False, False, False, False),
    "staff": (True, True, True, False, False),  # CS deputy head, reporter
    "sales": (False, False, False, False, False),
    "vendor": (True, False, False, False, False),  # information-system execution group
    "outsider": (False, False, False, False, False),
}


class RoleByAction(CastTestCase):
    def test_pages_and_api_agree_on_every_role(self):
        incident = ended_incident(self.cast)
        plan = RecoveryPlan.objects.get(incident=incident, department=self.cs)
        report = SummaryReport.objects.get(incident=incident)
        measure = measures.measure_create(
            actor=self.office,
            title="x",
            source="audit",
            change="process",
            owner=self.expert_person,
            due=timezone.localdate() + timedelta(days=9),
        )
        measures.measure_done(actor=self.expert, measure=measure, note="做了")
        found = {}
        for role in ROLES:
            self.client.force_login(self.cast[role])
            api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
            api.force_authenticate(self.cast[role])
            sees = self.client.get(f"/recovery/incidents/{incident.pk}/").status_code == 200
            sees_api = api.get(f"/api/v1/recovery/plans/{plan.pk}/").status_code == 200
            self.assertEqual(sees, sees_api, role)
            page = self.client.get(f"/recovery/plans/{plan.pk}/").content.decode() if sees else ""
            writes = 'name="goals"' in page
            approves = "/approve/" in page
            summary_page = (
                self.client.get(f"/recovery/summaries/{report.pk}/").content.decode()
                if sees
                else ""
            )
            cause = 'aria-label="Cause"' in summary_page or 'aria-label="事件原因"' in summary_page
            verify_page = self.client.get(f"/improvements/{measure.pk}/").content.decode()
            verifies = 'id="verify"' in verify_page
            found[role] = (sees, writes, approves, cause, verifies)
            # The API gives the same answer for writing the goals (a refusal changes nothing).
            response = api.patch(
                f"/api/v1/recovery/plans/{plan.pk}/", {"goals": f"{role} 的目标"}, format="json"
            )
            self.assertEqual(response.status_code == 200, writes, (role, response.status_code))
        self.assertEqual(found, EXPECTED)
