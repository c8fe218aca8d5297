"""The pages and the API take the same steps with the same rules (R-RISK-1)."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from docx import Document
from rest_framework.test import APIClient

from yingji.accounts.services import token_create
from yingji.org.testing import CastTestCase
from yingji.risks.choices import Status
from yingji.risks.models import ReviewComment
from yingji.risks.tests.helpers import add, complete, open_for


class Pages(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.assessment = open_for(self.cs)

    def test_a_head_scores_a_risk_on_the_page_and_a_bad_score_is_shown_not_saved(self):
        self.login("head")
        url = f"/risks/assessments/{self.assessment.pk}/risks/new/"
        self.assertEqual(self.client.get(url).status_code, 200)
        form = {
            "title": "排队机老化",
            "family": "ageing",
            "current_likelihood": "4",
            "current_impact": "4",
            "inherent_likelihood": "5",
            "inherent_impact": "4",
            "residual_likelihood": "2",
            "residual_impact": "4",
            "treatment": "mitigate",
            "treatment_plan": "更换",
            "owner": str(self.head_person.pk),
            "treatment_due": (timezone.localdate() + timedelta(days=30)).isoformat(),
        }
        bad = self.client.post(url, {**form, "current_likelihood": "9"})
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(self.assessment.risks.exists())
        saved = self.client.post(url, form)
        self.assertEqual(saved.status_code, 302)
        risk = self.assessment.risks.get()
        self.assertEqual((risk.current_level, risk.residual_level), (3, 2))  # 16 high, 8 medium
        page = self.client.get(f"/risks/assessments/{self.assessment.pk}/").content.decode()
        self.assertIn("排队机老化", page)
        self.assertIn("family_missing", page)  # the quality checks list, by code

    def test_the_leader_returns_with_a_comment_per_risk_and_the_head_sees_it(self):
        complete(self.assessment, self.head_person, timezone.localdate())
        self.login("head")
        self.client.post(f"/risks/assessments/{self.assessment.pk}/submit/")
        self.assertEqual(self.refreshed(self.assessment).status, Status.SUBMITTED)
        risk = self.assessment.risks.order_by("pk")[0]
        self.login("leader")
        page = self.client.get(f"/risks/assessments/{self.assessment.pk}/").content.decode()
        self.assertIn(f'name="risk-{risk.pk}"', page)
        self.client.post(
            f"/risks/assessments/{self.assessment.pk}/return/",
            {"comment": "请补充", f"risk-{risk.pk}": "影响应为 5"},
        )
        self.assertEqual(self.refreshed(self.assessment).status, Status.RETURNED)
        self.assertEqual(ReviewComment.objects.get(risk=risk).text, "影响应为 5")
        self.login("head")
        self.assertIn(
            "影响应为 5",
            self.client.get(f"/risks/assessments/{self.assessment.pk}/").content.decode(),
        )

    def test_who_sees_what(self):
        risk = add(self.assessment, owner=self.vendor_person)
        detail = f"/risks/assessments/{self.assessment.pk}/"
        expected = {
            "admin": 200,
            "leader": 200,
            "office": 200,
            "expert": 200,
            "head": 200,
            "staff": 200,
            "sales": 404,
            "vendor": 404,
            "executor": 404,
        }
        got = {}
        for who in expected:
            self.login(who)
            got[who] = self.client.get(detail).status_code
        self.assertEqual(got, expected)
        self.login("vendor")  # a vendor sees the risk whose treatment it was given, only that
        self.assertEqual(self.client.get(f"/risks/items/{risk.pk}/").status_code, 200)
        self.assertNotIn(
            "/risks/assessments/",
            self.client.get(f"/risks/items/{risk.pk}/").content.decode().split("<main")[-1],
        )
        self.login("staff")  # the department's deputy head (AB角) edits with the head
        self.assertEqual(self.client.get(f"{detail}risks/new/").status_code, 200)
        self.login("leader")  # the leadership group reviews; it does not edit
        self.assertEqual(self.client.get(f"{detail}risks/new/").status_code, 403)

    def test_report_and_register_download(self):
        complete(self.assessment, self.head_person, timezone.localdate())
        self.login("head")
        report = self.client.get(f"/risks/assessments/{self.assessment.pk}/report.docx")
        self.assertEqual(report.status_code, 200)
        self.assertTrue(Document(io.BytesIO(report.content)).paragraphs)
        sheet = self.client.get("/risks/register.xlsx?family=ageing")
        self.assertEqual(sheet.status_code, 200)
        self.assertEqual(
            self.client.get(
                f"/risks/report/{self.assessment.year}-{self.assessment.quarter}.docx"
            ).status_code,
            403,
        )
        self.login("office")
        self.assertEqual(
            self.client.get(
                f"/risks/report/{self.assessment.year}-{self.assessment.quarter}.docx"
            ).status_code,
            200,
        )


class Api(CastTestCase):
    def api(self, who: str) -> APIClient:
        _token, raw = token_create(actor=self.cast[who], user=self.cast[who], name="t")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    def test_the_whole_round_through_the_api(self):
        assessment = open_for(self.cs)
        head = self.api("head")
        off = head.post(
            "/api/v1/risks/items/",
            {
                "assessment": assessment.pk,
                "title": "t",
                "family": "ageing",
                "current_likelihood": 6,
                "current_impact": 1,
            },
            format="json",
        )
        self.assertEqual(off.status_code, 400)
        self.assertIn("current_likelihood", off.json().get("field", "") + str(off.json()))
        due = (timezone.localdate() + timedelta(days=30)).isoformat()
        for family in ("ageing", "vulnerability", "disaster"):
            made = head.post(
                "/api/v1/risks/items/",
                {
                    "assessment": assessment.pk,
                    "title": family,
                    "family": family,
                    "inherent_likelihood": 3,
                    "inherent_impact": 3,
                    "current_likelihood": 2,
                    "current_impact": 3,
                    "residual_likelihood": 2,
                    "residual_impact": 3,
                    "knowledge": "high",
                    "treatment": "mitigate",
                    "owner": self.head_person.pk,
                    "treatment_due": due,
                },
                format="json",
            )
            self.assertEqual(made.status_code, 201, made.content)
        self.assertEqual(made.json()["levels"]["current"]["meaning"], "acceptable")
        blocked = head.patch(
            f"/api/v1/risks/items/{made.json()['id']}/", {"residual_likelihood": 5}, format="json"
        )
        self.assertEqual(blocked.status_code, 200)
        refused = head.post(f"/api/v1/risks/assessments/{assessment.pk}/submit/")
        self.assertEqual(refused.status_code, 400)
        self.assertIn("residual_above_current", [f["code"] for f in refused.json()["findings"]])
        head.patch(
            f"/api/v1/risks/items/{made.json()['id']}/", {"residual_likelihood": 2}, format="json"
        )
        self.assertEqual(
            head.post(f"/api/v1/risks/assessments/{assessment.pk}/submit/").status_code, 200
        )
        self.assertEqual(
            head.post(
                f"/api/v1/risks/assessments/{assessment.pk}/approve/", {}, format="json"
            ).status_code,
            403,
        )
        leader = self.api("leader")
        done = leader.post(
            f"/api/v1/risks/assessments/{assessment.pk}/approve/",
            {"comment": "同意"},
            format="json",
        )
        self.assertEqual(done.json()["status"], "done")
        listed = head.get("/api/v1/risks/items/?family=disaster").json()
        self.assertEqual([r["title"] for r in listed["results"]], ["disaster"])
        self.assertEqual(self.api("vendor").get("/api/v1/risks/items/").json()["count"], 0)
        self.assertEqual(
            self.api("sales").get(f"/api/v1/risks/assessments/{assessment.pk}/").status_code, 404
        )

    def test_projects_and_settings(self):
        office = self.api("office")
        made = office.post(
            "/api/v1/risks/projects/",
            {"code": "RD-9", "name": "新核心", "department": self.tech.pk},
            format="json",
        )
        self.assertEqual(made.status_code, 201, made.content)
        early = office.post(
            f"/api/v1/risks/projects/{made.json()['id']}/status/",
            {"status": "ready"},
            format="json",
        )
        self.assertEqual(early.status_code, 409)
        self.assertEqual(
            office.patch("/api/v1/risks/settings/", {"due_day": 30}, format="json").json()[
                "due_day"
            ],
            30,
        )
        self.assertEqual(
            self.api("head")
            .patch("/api/v1/risks/settings/", {"due_day": 5}, format="json")
            .status_code,
            403,
        )


class ApiReview(CastTestCase):
    def test_returned_with_comments_per_risk_and_they_are_read_back(self):
        assessment = open_for(self.cs)
        complete(assessment, self.head_person, timezone.localdate())
        risk = assessment.risks.order_by("number")[0]
        client = APIClient()
        _token, raw = token_create(actor=self.head, user=self.head, name="t")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        self.assertEqual(
            client.post(f"/api/v1/risks/assessments/{assessment.pk}/submit/").status_code, 200
        )
        leader = APIClient()
        _token, raw = token_create(actor=self.leader, user=self.leader, name="t")
        leader.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        bad = leader.post(
            f"/api/v1/risks/assessments/{assessment.pk}/return/",
            {"risk_comments": {"x": "?"}},
            format="json",
        )
        self.assertEqual(bad.status_code, 400)
        back = leader.post(
            f"/api/v1/risks/assessments/{assessment.pk}/return/",
            {"comment": "补充", "risk_comments": {str(risk.pk): "影响偏低"}},
            format="json",
        )
        self.assertEqual(back.json()["status"], "returned")
        read = client.get(f"/api/v1/risks/assessments/{assessment.pk}/").json()
        self.assertEqual(
            {(c["risk"], c["text"]) for c in read["comments"]},
            {(None, "补充"), (risk.pk, "影响偏低")},
        )


class MatrixPage(CastTestCase):
    def test_the_office_edits_cells_and_names_and_a_matrix_in_use_gets_a_new_version(self):
        from yingji.risks import services
        from yingji.risks.models import RiskMatrix

        matrix = services.shipped_matrix("3x3")
        self.login("office")
        page = self.client.get(f"/risks/matrices/{matrix.pk}/")
        self.assertEqual(page.status_code, 200)
        form = page.context["form"]
        data = {name: form[name].value() for name in form.fields}
        data.update({"name": "三级矩阵", "g0_0": "1", "v2_en": "Severe", "new_code": ""})
        self.assertEqual(self.client.post(f"/risks/matrices/{matrix.pk}/", data).status_code, 302)
        changed = RiskMatrix.objects.get(pk=matrix.pk).shape
        self.assertEqual(changed.grid[0][0], 1)
        self.assertEqual(changed.levels[2].names["en"], "Severe")
        services.policy_update(actor=self.office, matrix=matrix)
        open_for(self.cs)  # now in use
        data.update({"g0_0": "2"})
        self.client.post(f"/risks/matrices/{matrix.pk}/", data)
        self.assertEqual(RiskMatrix.objects.get(pk=matrix.pk).shape.grid[0][0], 1)
        self.assertEqual(RiskMatrix.objects.get(code="3x3", version=2).shape.grid[0][0], 2)
        data.update({"new_code": "mine", "v0_zh-hans": ""})
        refused = self.client.post(f"/risks/matrices/{matrix.pk}/", data)
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(RiskMatrix.objects.filter(code="mine").exists())
        self.login("head")
        self.assertEqual(self.client.post(f"/risks/matrices/{matrix.pk}/", data).status_code, 403)


class Counts(CastTestCase):
    def test_the_list_counts_each_risk_once_whatever_the_delegates(self):
        from yingji.risks import services

        assessment = open_for(self.cs)
        add(assessment, owner=self.head_person)
        add(assessment, "台风", family="disaster", owner=self.head_person)
        services.delegates_set(
            actor=self.head, assessment=assessment, people=[self.executor_person, self.sales_person]
        )
        for who in ("staff", "sales", "office"):
            self.login(who)
            rows = self.client.get("/risks/assessments/").context["page"].object_list
            self.assertEqual([(a.pk, a.risk_count) for a in rows], [(assessment.pk, 2)], who)


class RegisterFilters(CastTestCase):
    def test_level_by_meaning_treatment_overdue_and_quarter(self):
        from yingji.risks.models import Risk

        q1 = open_for(self.cs, 2027, 1)
        high = add(
            q1,
            "高",
            current_likelihood=5,
            current_impact=5,
            inherent_likelihood=5,
            inherent_impact=5,
            treatment="",
            treatment_plan="",
        )
        low = add(q1, "低", treatment_due=timezone.localdate() + timedelta(days=3))
        other = add(open_for(self.cs, 2027, 2), "下季度")
        self.login("office")

        def titles(query: str) -> set[str]:
            rows = self.client.get(f"/risks/?{query}").context["page"].object_list
            return {r.title for r in rows}

        self.assertEqual(titles("level=unacceptable"), {high.title})
        self.assertEqual(titles("treatment=none"), {high.title})
        self.assertEqual(titles("quarter=2027-1"), {high.title, low.title})
        self.assertEqual(titles("quarter=2027-2"), {high.title, low.title, other.title})  # carried
        self.assertEqual(titles("quarter=junk"), set())
        self.assertEqual(titles("overdue=true"), set())
        # The due date passes (as days go by; the service refuses a past date when given).
        Risk.objects.filter(title=low.title).update(
            treatment_due=timezone.localdate() - timedelta(days=1)
        )
        self.assertEqual(titles("overdue=true"), {low.title})
        api = self.client.get("/api/v1/risks/items/?level=bogus")
        self.assertEqual(api.status_code, 400)


class VendorsTreatments(CastTestCase):
    def test_a_vendor_finds_the_menu_and_its_treatment_only_once_given_one(self):
        assessment = open_for(self.cs)
        add(assessment, "别人的", owner=self.head_person)
        self.login("vendor")
        self.assertNotIn('href="/risks/"', self.client.get("/").content.decode())
        mine = add(assessment, "排队机更换", owner=self.vendor_person)
        self.assertIn('href="/risks/"', self.client.get("/").content.decode())
        rows = self.client.get("/risks/").context["page"].object_list
        self.assertEqual([r.pk for r in rows], [mine.pk])


class HeatMapCells(CastTestCase):
    def test_a_cell_links_to_the_risks_scored_there(self):
        assessment = open_for(self.cs, 2027, 1)
        hot = add(
            assessment,
            "热点",
            current_likelihood=4,
            current_impact=5,
            inherent_likelihood=5,
            inherent_impact=5,
            owner=self.head_person,
        )
        add(assessment, "别处", owner=self.head_person)
        self.login("office")
        page = self.client.get("/risks/heatmap/?quarter=2027-1").content.decode()
        link = "/risks/?quarter=2027-1&amp;cell=current-4-5"
        self.assertIn(link, page)
        rows = self.client.get(link.replace("&amp;", "&")).context["page"].object_list
        self.assertEqual([r.pk for r in rows], [hot.pk])
        self.assertEqual(
            list(self.client.get("/risks/?cell=current-x-5").context["page"].object_list), []
        )
