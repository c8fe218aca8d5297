"""/api/v1/incidents/: report and judge through the API with the pages' rules."""

from yingji.incidents.choices import Status
from yingji.incidents.models import Incident
from yingji.incidents.tests.test_report_and_triage import IncidentTestCase
from yingji.org.tests.test_api import ApiTestCase

REPORT = {
    "title": "网银交易超时",
    "category": "information_system",
    "occurred_at": "2026-11-28T09:30:00+08:00",
    "symptoms": "交易超时率 40%",
}


class IncidentsThroughTheApi(ApiTestCase, IncidentTestCase):
    def test_report_then_the_head_escalates_and_the_timeline_shows_both(self):
        created = self.api("staff").post("/api/v1/incidents/", REPORT, format="json")
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        self.assertEqual(created.json()["status"], "reported")
        head = self.api("head")
        escalated = head.post(f"/api/v1/incidents/{pk}/escalate/", {"text": "上报"}, format="json")
        self.assertEqual(escalated.status_code, 200, escalated.content)
        self.assertEqual(escalated.json()["status"], "escalated")
        timeline = head.get(f"/api/v1/incidents/{pk}/timeline/").json()
        self.assertEqual([e["action"] for e in timeline], ["report", "escalate"])

    def test_bad_input_is_a_400_that_names_the_field_and_creates_nothing(self):
        client = self.api("staff")
        response = client.post("/api/v1/incidents/", {**REPORT, "category": "x"}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("category", response.json())
        future = {**REPORT, "occurred_at": "2099-01-01T00:00:00Z"}
        response = client.post("/api/v1/incidents/", future, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["field"], "occurred_at")
        self.assertEqual(Incident.objects.count(), 0)

    def test_the_same_rules_as_the_pages(self):
        incident = self.report()
        self.assertEqual(
            self.api("expert").post(f"/api/v1/incidents/{incident.pk}/escalate/").status_code, 403
        )
        self.assertEqual(
            self.api("sales").get(f"/api/v1/incidents/{incident.pk}/").status_code, 404
        )
        listed = [i["id"] for i in self.api("sales").get("/api/v1/incidents/").json()["results"]]
        self.assertNotIn(incident.pk, listed)
        closed = self.api("head").post(
            f"/api/v1/incidents/{incident.pk}/close-as-fault/", {"text": ""}, format="json"
        )
        self.assertEqual(closed.status_code, 400)
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.REPORTED)
