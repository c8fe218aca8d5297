"""/api/v1/incidents/: report and judge through the API with the pages' rules."""

import io
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from docx import Document

from yingji.core.word import DOCX
from yingji.core.workbooks import open_workbook
from yingji.incidents import services
from yingji.incidents.choices import Status
from yingji.incidents.models import Incident
from yingji.incidents.tests.test_report_and_triage import IncidentTestCase
from yingji.incidents.tests.test_response_flow import ResponseTestCase
from yingji.incidents.views import XLSX
from yingji.notify.rendering import event_text
from yingji.org.tests.test_api import ApiTestCase

REPORT = {
    "title": "网银交易超时",
    "category": "information_system",
    # an hour ago, whatever today is (a report of more than a year ago is refused)
    "occurred_at": (timezone.localtime() - timedelta(hours=1)).replace(microsecond=0).isoformat(),
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
        timeline = head.get(f"/api/v1/incidents/{pk}/timeline/").json()["results"]
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


class TheWholeFlowThroughTheApi(ApiTestCase, IncidentTestCase):
    def test_decide_mobilise_handle_recommend_and_end(self):
        incident = self.report()
        pk = incident.pk
        base = f"/api/v1/incidents/{pk}"
        self.api("head").post(f"{base}/escalate/", {}, format="json")
        leader, expert, vendor = self.api("leader"), self.api("expert"), self.api("vendor")
        facts = expert.post(f"{base}/facts/", {"interruption_minutes": 90}, format="json")
        self.assertEqual(facts.json()["interruption_minutes"], 90)
        decided = leader.post(
            f"{base}/decide/",
            {
                "decision": "activate",
                "meeting_at": "2026-11-28T14:10:00+08:00",
                "attendees": [self.leader_person.pk],
                "plans": "信息系统故障专项应急预案",
                "response_level": "1",
                "criteria_met": ["核心业务中断 > 60 分钟"],
                "assemble_at": "2026-11-28T14:30:00+08:00",
                "assemble_place": "指挥室",
            },
            format="json",
        )
        self.assertEqual(decided.status_code, 201, decided.content)
        self.assertEqual(decided.json()["criteria_met"], ["核心业务中断 > 60 分钟"])
        plan = expert.post(f"{base}/handling-plans/", {"analysis": "a", "plan": "p"}, format="json")
        self.assertEqual(plan.json()["version"], 1)
        task = expert.post(
            f"{base}/tasks/",
            {
                "title": "切换",
                "assignee": self.vendor_person.pk,
                "checklist_items": ["a", "b"],
            },
            format="json",
        ).json()
        done = vendor.post(
            f"{base}/tasks/{task['id']}/",
            {"revision": 0, "checked": [0, 1], "status": "done"},
            format="json",
        )
        self.assertEqual(done.json()["status"], "done", done.content)
        stale = expert.post(
            f"{base}/tasks/{task['id']}/", {"revision": 0, "status": "todo"}, format="json"
        )
        self.assertEqual(stale.status_code, 409)
        self.assertEqual(
            vendor.post(f"{base}/progress/", {"done": "已切换"}, format="json").status_code, 201
        )
        recommended = expert.post(
            f"{base}/recommend-end/",
            {
                "performance_normal": True,
                "business_stable": True,
                "residual_risks": "",
            },
            format="json",
        )
        self.assertEqual(recommended.status_code, 201, recommended.content)
        ended = leader.post(f"{base}/end/", {"summary": "已恢复"}, format="json")
        self.assertEqual(ended.json()["status"], "ended")
        times = ended.json()["key_times"]
        self.assertTrue(
            all(
                times[k]
                for k in (
                    "reported",
                    "escalated",
                    "assessed",
                    "activated",
                    "end_recommended",
                    "ended",
                )
            )
        )
        self.assertIsNotNone(ended.json()["durations"]["response"])

    def test_each_step_answers_403_to_the_wrong_role_and_404_to_outsiders(self):
        incident = self.report()
        base = f"/api/v1/incidents/{incident.pk}"
        self.api("head").post(f"{base}/escalate/", {}, format="json")
        decide = {"decision": "watch", "meeting_at": "2026-11-28T14:10:00+08:00"}
        self.assertEqual(
            self.api("expert").post(f"{base}/decide/", decide, format="json").status_code, 403
        )
        self.assertEqual(
            self.api("sales").post(f"{base}/decide/", decide, format="json").status_code, 404
        )
        self.assertEqual(
            self.api("executor")
            .post(f"{base}/grade/", {"grade": "I", "reason": "x"}, format="json")
            .status_code,
            403,
        )
        wrong_step = self.api("leader").post(f"{base}/end/", {}, format="json")
        self.assertEqual(wrong_step.status_code, 409)
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.ESCALATED)

    def test_bad_step_input_is_a_400_naming_the_field(self):
        incident = self.report()
        base = f"/api/v1/incidents/{incident.pk}"
        self.api("head").post(f"{base}/escalate/", {}, format="json")
        activate = {"decision": "activate", "meeting_at": "2026-11-28T14:10:00+08:00"}
        bad = self.api("leader").post(f"{base}/decide/", activate, format="json")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["field"], "plans")
        bad = self.api("expert").post(f"{base}/facts/", {"loss_yuan": -1}, format="json")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("loss_yuan", bad.json())


class TheOfficesSettingsThroughTheApi(ApiTestCase, IncidentTestCase):
    def test_the_office_keeps_the_grading_table_and_everyone_reads_it(self):
        office = self.api("office")
        rule = {
            "grade": "II",
            "conditions": [["interruption_minutes", ">=", 120]],
            "note": "两小时",
        }
        created = office.post("/api/v1/grading-rules/", rule, format="json")
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        self.assertEqual(self.api("staff").get("/api/v1/grading-rules/").json()[0]["grade"], "II")
        self.assertEqual(
            self.api("staff").post("/api/v1/grading-rules/", rule, format="json").status_code, 403
        )
        bad = office.put(
            f"/api/v1/grading-rules/{pk}/",
            {**rule, "conditions": [["weather", ">", 1]]},
            format="json",
        )
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(bad.json()["field"], "conditions")
        self.assertEqual(office.delete(f"/api/v1/grading-rules/{pk}/").status_code, 204)
        self.assertEqual(office.get("/api/v1/grading-rules/").json(), [])

    def test_the_office_edits_the_all_staff_notices(self):
        office = self.api("office")
        self.assertIn("{title}", office.get("/api/v1/notice-templates/end/").json()["title"])
        template = {"title": "终止：{title}", "body": "{summary}"}
        saved = office.put("/api/v1/notice-templates/end/", template, format="json")
        self.assertEqual(saved.json()["title"], "终止：{title}")
        bad = office.put(
            "/api/v1/notice-templates/end/", {"title": "{oops}", "body": "b"}, format="json"
        )
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(self.api("staff").get("/api/v1/notice-templates/end/").status_code, 403)
        self.assertEqual(office.get("/api/v1/notice-templates/other/").status_code, 404)


class TimesAndWords(ApiTestCase, IncidentTestCase):
    def test_key_times_are_in_local_time_like_every_other_time(self):
        incident = self.report()
        shown = self.api("staff").get(f"/api/v1/incidents/{incident.pk}/").json()
        self.assertEqual(shown["key_times"]["reported"], shown["reported_at"])
        self.assertTrue(shown["reported_at"].endswith("+08:00"))  # Asia/Shanghai

    def test_one_minute_is_not_one_minutes(self):
        facts = {"title": "断网", "number": 7}
        with self.settings(ESCALATE_MINUTES=1):
            _title, body = event_text("incident.reported", facts, "en")
            self.assertIn("within 1 minute:", body)
            late, _body = event_text("incident.judgement_late", facts, "en")
            self.assertIn("within 1 minute,", late)
        _title, body = event_text("incident.reported", facts, "en")
        self.assertIn("within 15 minutes:", body)


class OneDateRule(ApiTestCase, ResponseTestCase):
    """Pages and API check dates alike, in the service: never a 500, never a silent 1900."""

    SLIPS = {
        "0001-01-01T00:00": "0001 is not a plausible year",
        "1900-03-01T10:00": "1900 is not a plausible year",
        "9999-12-31T23:59": "9999 is not a plausible year",
    }

    def test_the_report_form_and_the_api_refuse_the_same_dates_the_same_way(self):
        self.login("staff")
        api = self.api("staff")
        for typed, words in self.SLIPS.items():
            with self.subTest(typed=typed):
                page = self.client.post(
                    reverse("incidents:report"), {**REPORT, "occurred_at": typed}
                )
                self.assertContains(page, words, status_code=400)
                answer = api.post(
                    "/api/v1/incidents/",
                    {**REPORT, "occurred_at": typed + ":00+08:00"},
                    format="json",
                )
                self.assertEqual(answer.status_code, 400, answer.content)
                self.assertIn(words, answer.content.decode())  # the page's very words
        self.assertEqual(Incident.objects.count(), 0)

    def test_a_due_time_or_expected_recovery_in_the_past_or_year_one_is_refused(self):
        incident = self.activated()
        past = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
        self.login("expert")
        for typed, words in {**self.SLIPS, past: "The due time has already passed."}.items():
            with self.subTest(typed=typed):
                made = self.client.post(
                    reverse("incidents:task_create", args=[incident.pk]),
                    {"title": "切换", "due_at": typed},
                    follow=True,
                )
                self.assertContains(made, words)
        api = self.api("expert")
        refused = api.post(
            f"/api/v1/incidents/{incident.pk}/tasks/",
            {"title": "切换", "due_at": "0001-01-01T00:00:00+08:00"},
            format="json",
        )
        self.assertEqual(refused.status_code, 400, refused.content)
        self.assertFalse(incident.tasks.exists())
        self.login("executor")
        late_eta = self.client.post(
            reverse("incidents:progress", args=[incident.pk]),
            {"done": "已切换", "current": "恢复中", "eta": "0001-01-01T00:00"},
            follow=True,
        )
        self.assertContains(late_eta, "0001 is not a plausible year")
        self.assertFalse(incident.progress.exists())


class SearchAndFilters(ApiTestCase, ResponseTestCase):
    """The list page and the API filter the same way (django-filter), and search reaches the
    location, the affected systems and the handling plan's text."""

    def test_search_reaches_location_systems_and_handling_text_on_page_and_api(self):
        responding = self.activated(title="客户无法登录手机银行", location="数据中心 A03 机柜")
        services.handling_plan_revise(
            actor=self.expert, incident=responding, analysis="认证库锁表", plan="切换到灾备认证集群"
        )
        other = self.report(title="打印机卡纸", category="facility")
        api = self.api("leader")
        self.login("leader")
        for words in ("A03", "灾备认证集群", "无法登录手机银行"):
            with self.subTest(words=words):
                page = self.client.get(reverse("incidents:list"), {"q": words})
                self.assertEqual([i.pk for i in page.context["rows"]], [responding.pk])
                found = api.get("/api/v1/incidents/", {"search": words}).json()["results"]
                self.assertEqual([i["id"] for i in found], [responding.pk])
        by_status = api.get("/api/v1/incidents/", {"status": "reported"}).json()["results"]
        self.assertEqual([i["id"] for i in by_status], [other.pk])
        page = self.client.get(reverse("incidents:list"), {"status": "reported"})
        self.assertEqual([i.pk for i in page.context["rows"]], [other.pk])

    def test_an_unknown_filter_value_is_a_400_in_the_api_and_ignored_on_the_page(self):
        self.report()
        answer = self.api("leader").get("/api/v1/incidents/", {"status": "on-fire"})
        self.assertEqual(answer.status_code, 400)
        self.assertIn("status", answer.json())
        self.login("leader")
        page = self.client.get(reverse("incidents:list"), {"status": "on-fire"})
        self.assertEqual(len(page.context["rows"]), 1)


class Exports(ApiTestCase, ResponseTestCase):
    """The list as a workbook and one incident as a Word report, on the page and in the API,
    with the list's filters and the same access rules."""

    def test_the_list_exports_as_filtered_and_only_what_the_reader_may_see(self):
        responding = self.activated(title="手机银行中断")
        self.report(title="打印机卡纸", category="facility")
        secret = self.report(title="客户数据泄露", confidential=True)
        self.login("leader")
        response = self.client.get(reverse("incidents:export"), {"category": "information_system"})
        self.assertEqual(response["Content-Type"], XLSX)
        titles = self.titles(response.content)
        self.assertIn("手机银行中断", titles)
        self.assertNotIn("打印机卡纸", titles)
        api = self.api("sales")  # sees none of them
        self.assertEqual(self.titles(api.get("/api/v1/incidents/export/").content), [])
        by_api = self.api("leader").get("/api/v1/incidents/export/", {"status": "responding"})
        self.assertEqual(self.titles(by_api.content), ["手机银行中断"])
        self.assertNotIn(
            secret.title, self.titles(self.api("executor").get("/api/v1/incidents/export/").content)
        )
        self.assertEqual(responding.status, Status.RESPONDING)

    def titles(self, content: bytes) -> list[str]:
        with open_workbook(content) as book:
            return [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]

    def test_one_incident_as_an_a4_word_report_with_header_page_numbers_and_metadata(self):
        incident = self.activated(title="手机银行中断")
        services.handling_plan_revise(
            actor=self.expert, incident=incident, analysis="认证库锁表", plan="切换备库"
        )
        self.login("leader")
        response = self.client.get(reverse("incidents:report_docx", args=[incident.pk]))
        self.assertEqual(response["Content-Type"], DOCX)
        document = Document(io.BytesIO(response.content))
        section = document.sections[0]
        width, height = section.page_width, section.page_height
        assert width is not None and height is not None
        self.assertAlmostEqual(width.cm, 21.0, places=1)  # A4, not US Letter
        self.assertAlmostEqual(height.cm, 29.7, places=1)
        self.assertIn(f"#{incident.pk}", section.header.paragraphs[0].text)
        footer_xml = section.footer.paragraphs[0]._p.xml
        self.assertIn("PAGE", footer_xml)
        self.assertIn("NUMPAGES", footer_xml)
        self.assertIn("TOC", document.element.body.xml)
        self.assertNotIn(
            "python-docx", document.core_properties.author + document.core_properties.comments
        )
        text = "\n".join(p.text for p in document.paragraphs)
        self.assertIn("认证库锁表", text)
        self.assertEqual(
            self.api("sales").get(f"/api/v1/incidents/{incident.pk}/document/").status_code, 404
        )
        by_api = self.api("leader").get(f"/api/v1/incidents/{incident.pk}/document/")
        self.assertEqual(by_api.status_code, 200)
        self.assertEqual(by_api["Content-Type"], DOCX)
