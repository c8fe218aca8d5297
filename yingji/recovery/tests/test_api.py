"""From the end order to a verified measure through /api/v1/recovery/ and /api/v1/improvements/,
with the pages' rules; bad input is a 400 that names the field, never a 500."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from yingji.org.testing import CastTestCase
from yingji.recovery.models import Measure
from yingji.recovery.tests.helpers import ended_incident


class ThroughTheApi(CastTestCase):
    def api(self, who: str) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_authenticate(self.cast[who])
        return client

    def test_end_order_to_verified_measure(self):
        incident = ended_incident(self.cast)
        head = self.api("head")
        plans = head.get(f"/api/v1/recovery/plans/?incident={incident.pk}").json()
        cs = next(p for p in plans["results"] if p["department"] == self.cs.pk)
        due = (timezone.now() + timedelta(hours=5)).isoformat()
        bad = head.put(
            f"/api/v1/recovery/plans/{cs['id']}/steps/",
            {"steps": [{"description": "回访", "due_at": due}]},
            format="json",
        )
        self.assertEqual(bad.status_code, 400)
        self.assertIn("owner", str(bad.json()["steps"]))
        ok = head.put(
            f"/api/v1/recovery/plans/{cs['id']}/steps/",
            {"steps": [{"description": "回访", "due_at": due, "owner": self.staff_person.pk}]},
            format="json",
        )
        self.assertEqual(ok.status_code, 200, ok.content)
        self.assertEqual(
            head.post(f"/api/v1/recovery/plans/{cs['id']}/approve/").status_code, 400
        )  # no goals
        head.patch(f"/api/v1/recovery/plans/{cs['id']}/", {"goals": "工单清零"}, format="json")
        self.assertEqual(
            head.post(f"/api/v1/recovery/plans/{cs['id']}/approve/").json()["status"], "approved"
        )

        report = self.api("office").get("/api/v1/recovery/summaries/").json()["results"][0]
        leader = self.api("leader")
        refused = leader.post(f"/api/v1/recovery/summaries/{report['id']}/approve/")
        self.assertEqual(refused.status_code, 400)
        self.assertIn("What went well", refused.json()["detail"])
        office = self.api("office")
        for section in report["sections"]:
            saved = office.put(
                f"/api/v1/recovery/summaries/{report['id']}/sections/{section['key']}/",
                {"text": section["text"] or "已写"},
                format="json",
            )
            self.assertEqual(saved.status_code, 200, saved.content)
        self.assertEqual(
            self.api("expert")
            .put(
                f"/api/v1/recovery/summaries/{report['id']}/sections/overview/",
                {"text": "x"},
                format="json",
            )
            .status_code,
            403,
        )
        self.assertEqual(
            office.patch(
                f"/api/v1/recovery/summaries/{report['id']}/", {"calls_received": -1}, format="json"
            ).status_code,
            400,
        )
        self.assertEqual(
            leader.post(f"/api/v1/recovery/summaries/{report['id']}/approve/").json()["status"],
            "approved",
        )

        review = office.get("/api/v1/recovery/reviews/").json()["results"][0]
        answers = {
            k: True
            for k in ("data_kept", "impact_complete", "cause_deep", "actions_right", "shared")
        }
        recorded = office.post(
            f"/api/v1/recovery/reviews/{review['id']}/record/",
            {
                "held_at": (timezone.now() - timedelta(hours=1)).isoformat(),
                "attendees": [self.leader_person.pk],
                "answers": answers,
                "minutes": "复盘",
                "measures": [
                    {
                        "title": "修复主备切换",
                        "change": "equipment",
                        "owner": self.executor_person.pk,
                        "due": str(timezone.localdate() + timedelta(days=10)),
                    }
                ],
            },
            format="json",
        )
        self.assertEqual(recorded.status_code, 200, recorded.content)
        measure = Measure.objects.get()
        executor = self.api("executor")
        self.assertEqual(
            executor.post(
                f"/api/v1/improvements/{measure.pk}/done/", {"note": "已改"}, format="json"
            ).json()["status"],
            "done",
        )
        self.assertEqual(
            executor.post(
                f"/api/v1/improvements/{measure.pk}/verify/",
                {"evidence_note": "x", "evidence_link": "/x/"},
                format="json",
            ).status_code,
            403,
        )
        no_evidence = office.post(
            f"/api/v1/improvements/{measure.pk}/verify/", {"evidence_note": "看过"}, format="json"
        )
        self.assertEqual(no_evidence.status_code, 400)
        self.assertEqual(no_evidence.json()["field"], "evidence_link")
        verified = office.post(
            f"/api/v1/improvements/{measure.pk}/verify/",
            {"evidence_note": "演练验证", "evidence_link": "https://wiki.example.com/drill/12"},
            format="json",
        )
        self.assertEqual(verified.json()["status"], "verified")
        listed = office.get("/api/v1/improvements/?status=verified").json()
        self.assertEqual([m["id"] for m in listed["results"]], [measure.pk])

    def test_garbage_is_a_400_not_a_500(self):
        ended_incident(self.cast)
        office = self.api("office")
        for path, body in (
            (
                "/api/v1/improvements/",
                {"title": "x", "source": "nope", "change": "plan", "owner": 1, "due": "2026-13-40"},
            ),
            (
                "/api/v1/improvements/",
                {
                    "title": "x",
                    "source": "incident",
                    "change": "process",
                    "owner": self.executor_person.pk,
                    "due": str(timezone.localdate()),
                    "incident": 99999,
                },
            ),
            (
                "/api/v1/recovery/rebuild/",
                {"incident": 1, "kind": "rebuild", "target": "", "owner": 0},
            ),
            ("/api/v1/improvements/plans/approve/", {"year": 1}),
        ):
            response = office.post(path, body, format="json")
            self.assertIn(response.status_code, (400, 404), (path, response.content))
        self.assertEqual(self.api("outsider").get("/api/v1/recovery/plans/").json()["count"], 0)
        self.assertEqual(self.api("sales").get("/api/v1/recovery/plans/").json()["count"], 0)
