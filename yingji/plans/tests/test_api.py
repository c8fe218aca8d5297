"""/api/v1/plans/: write, submit, approve and version a plan through the API, with the
pages' rules; bad input is a 400 naming the field; an approved version is a 409."""

import io

from yingji.incidents.tests.test_attachments import PNG
from yingji.org.tests.test_api import ApiTestCase
from yingji.plans.tests.test_approval import STEPS, PlanTestCase
from yingji.plans.tests.test_documents import workbook


class PlansThroughTheApi(ApiTestCase, PlanTestCase):
    def test_write_review_approve_and_start_a_new_version(self):
        office, expert, leader = self.api("office"), self.api("expert"), self.api("leader")
        created = office.post(
            "/api/v1/plans/",
            {
                "code": "ZX-09",
                "title": "网络安全事件专项应急预案",
                "tier": "special",
                "category": "network_security",
                "owner_department": self.tech.pk,
            },
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        base = f"/api/v1/plans/{created.json()['id']}"
        updated = expert.patch(
            f"{base}/versions/1/",
            {
                "scope": "全行网络",
                "criteria": [["records_leaked", ">", 0]],
            },
            format="json",
        )
        self.assertEqual(updated.json()["criteria"], [["records_leaked", ">", 0]], updated.content)
        steps = expert.put(f"{base}/versions/1/steps/", {"steps": STEPS}, format="json")
        self.assertEqual(len(steps.json()["steps"]), 3)
        for who, action in ((expert, "submit"), (office, "send_for_approval"), (leader, "approve")):
            answer = who.post(
                f"{base}/versions/1/steps-of-approval/", {"action": action}, format="json"
            )
            self.assertEqual(answer.status_code, 200, answer.content)
        self.assertEqual(answer.json()["status"], "approved")
        frozen = expert.patch(f"{base}/versions/1/", {"scope": "改"}, format="json")
        self.assertEqual(frozen.status_code, 409)
        draft = expert.post(f"{base}/new-version/")
        self.assertEqual((draft.status_code, draft.json()["number"]), (201, 2))
        self.assertEqual(len(self.api("staff").get(f"{base}/versions/").json()), 2)

    def test_bad_input_and_wrong_roles(self):
        version = self.draft()
        base = f"/api/v1/plans/{version.plan.pk}"
        nobody = {"steps": [{"title": "x", "group": "nobody"}]}
        bad = self.api("expert").put(f"{base}/versions/1/steps/", nobody, format="json")
        self.assertEqual((bad.status_code, bad.json()["field"]), (400, "steps"))
        self.assertEqual(
            self.api("staff")
            .post(
                "/api/v1/plans/",
                {
                    "code": "X",
                    "title": "t",
                    "tier": "special",
                    "category": "other",
                    "owner_department": self.tech.pk,
                },
                format="json",
            )
            .status_code,
            403,
        )
        self.assertEqual(self.api("outsider").get(f"{base}/").status_code, 404)

    def test_comments_workbook_document_and_reviews(self):
        version = self.to_approval(self.draft())
        base = f"/api/v1/plans/{version.plan.pk}"
        leader, expert = self.api("leader"), self.api("expert")
        note = {"section": "steps", "text": "第 2 步写明切换时限"}
        comment = leader.post(f"{base}/versions/1/comments/", note, format="json")
        self.assertEqual(comment.status_code, 201, comment.content)
        bad = leader.post(
            f"{base}/versions/1/comments/", {"section": "x", "text": "y"}, format="json"
        )
        self.assertEqual(bad.status_code, 400)
        leader.post(f"{base}/versions/1/steps-of-approval/", {"action": "approve"}, format="json")
        listed = expert.get(f"{base}/versions/").json()[0]
        self.assertEqual(listed["comments"][0]["text"], "第 2 步写明切换时限")
        document = self.api("staff").get(f"{base}/versions/1/document/")
        self.assertEqual(document.status_code, 200)
        self.assertEqual(document.content[:2], b"PK")  # a .docx is a zip
        review = expert.post(
            f"{base}/reviews/", {"outcome": "revise", "note": "补充时限"}, format="json"
        )
        self.assertEqual((review.status_code, review.json()["outcome"]), (201, "revised"))
        self.assertEqual(len(expert.get(f"{base}/reviews/").json()), 1)
        upload = io.BytesIO(workbook(("新步骤", "", "expert")))
        upload.name = "steps.xlsx"
        replaced = expert.post(
            f"{base}/versions/2/steps-workbook/", {"file": upload}, format="multipart"
        )
        self.assertEqual(replaced.status_code, 200, replaced.content)
        self.assertEqual([s["title"] for s in replaced.json()["steps"]], ["新步骤"])
        junk = io.BytesIO(b"junk")
        junk.name = "steps.xlsx"
        refused = expert.post(
            f"{base}/versions/2/steps-workbook/", {"file": junk}, format="multipart"
        )
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(
            self.api("staff")
            .post(f"{base}/reviews/", {"outcome": "confirm", "note": "x"}, format="json")
            .status_code,
            403,
        )

    def test_attachments_through_the_api(self):
        version = self.draft()
        base = f"/api/v1/plans/{version.plan.pk}/versions/1"
        upload = io.BytesIO(PNG)
        upload.name = "拓扑.png"
        answer = self.api("expert").post(
            f"{base}/attachments/", {"attachments": [upload]}, format="multipart"
        )
        self.assertEqual(answer.status_code, 200, answer.content)
        listed = answer.json()["attachments"]
        self.assertEqual([(a["name"], a["size"]) for a in listed], [("拓扑.png", len(PNG))])
        got = self.api("staff").get(f"{base}/attachments/{listed[0]['id']}/")
        self.assertEqual(got.content, PNG)
        junk = io.BytesIO(b"\x00\x01\x02 not a picture")
        junk.name = "x.png"
        refused = self.api("expert").post(
            f"{base}/attachments/", {"attachments": [junk]}, format="multipart"
        )
        self.assertEqual(refused.status_code, 400)
