"""The incident pages: report from a phone, the list, and the judgement on the incident."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yingji.incidents.choices import Status
from yingji.incidents.models import Incident
from yingji.incidents.tests.test_report_and_triage import IncidentTestCase

REPORT = {
    "title": "客户无法登录",
    "category": "information_system",
    # an hour ago, whatever today is (a report of more than a year ago is refused)
    "occurred_at": f"{timezone.localtime() - timedelta(hours=1):%Y-%m-%dT%H:%M}",
    "symptoms": "登录页提示系统繁忙",
    "scope": "全部用户",
}


class ReportingOnThePage(IncidentTestCase):
    def test_a_report_from_the_form_lands_on_its_page_and_tells_the_head(self):
        self.login("staff")
        response = self.client.post(reverse("incidents:report"), REPORT)
        incident = Incident.objects.get()
        self.assertRedirects(response, reverse("incidents:detail", args=[incident.pk]))
        self.assertEqual(incident.department, self.cs)
        page = self.client.get(reverse("incidents:detail", args=[incident.pk]))
        self.assertContains(page, "客户无法登录")
        self.assertContains(page, "Reported, awaiting the department&#x27;s judgement")

    def test_a_bad_report_is_shown_again_with_its_errors_and_saves_nothing(self):
        self.login("staff")
        response = self.client.post(reverse("incidents:report"), {**REPORT, "symptoms": ""})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "has-error", status_code=400)
        future = {**REPORT, "occurred_at": "2099-01-01T00:00"}
        response = self.client.post(reverse("incidents:report"), future)
        self.assertContains(response, "cannot be in the future", status_code=400)
        self.assertEqual(Incident.objects.count(), 0)

    def test_the_list_shows_only_what_the_user_may_see(self):
        incident = self.report()
        self.login("head")
        self.assertContains(self.client.get(reverse("incidents:list")), incident.title)
        self.login("sales")
        self.assertNotContains(self.client.get(reverse("incidents:list")), incident.title)
        self.assertEqual(
            self.client.get(reverse("incidents:detail", args=[incident.pk])).status_code, 404
        )


class TheList(IncidentTestCase):
    def test_filters_by_status_category_and_exercise_and_ignore_unknown_values(self):
        real = self.report()
        drill = self.report(title="演练：机房断电", category="facility", exercise=True)
        self.login("leader")
        url = reverse("incidents:list")
        page = self.client.get(url, {"exercise": "yes"})
        self.assertContains(page, drill.title)
        self.assertNotContains(page, real.title)
        page = self.client.get(url, {"category": "information_system", "status": "reported"})
        self.assertContains(page, real.title)
        self.assertNotContains(page, drill.title)
        page = self.client.get(url, {"status": "nonsense"})
        self.assertContains(page, real.title)  # ignored, not an error
        self.assertContains(page, drill.title)

    def test_the_list_costs_the_same_queries_for_one_or_many_incidents(self):
        self.report()
        self.login("leader")
        self.client.get(reverse("incidents:list"))  # warm caches (sessions, content types)
        with_one = self._list_queries()
        for n in range(5):
            self.report(title=f"事件{n}")
        self.assertEqual(self._list_queries(), with_one)

    def test_the_pager_walks_every_incident_once_newest_first_keeping_the_filters(self):
        first = self.report()
        Incident.objects.bulk_create(  # 120 more, many at the very same moment (ties)
            Incident(
                title=f"批量{n}",
                category="information_system",
                occurred_at=first.occurred_at,
                symptoms="s",
                reporter=first.reporter,
                department=first.department,
                reported_at=first.reported_at,
            )
            for n in range(120)
        )
        self.login("leader")
        seen, url = [], reverse("incidents:list") + "?category=information_system"
        for _page in range(10):  # 121 incidents: 3 pages; more would mean the pager loops
            if not url:
                break
            page = self.client.get(url)
            seen += [row.pk for row in page.context["rows"]]
            cursor = page.context["next_cursor"]
            url = (
                f"{reverse('incidents:list')}?{page.context['query']}&after={cursor}"
                if cursor
                else ""
            )
            self.assertIn("category=information_system", page.context["query"])
        expected = list(
            Incident.objects.order_by("-reported_at", "-pk").values_list("pk", flat=True)
        )
        self.assertEqual(seen, expected)
        page = self.client.get(reverse("incidents:list"), {"after": "garbage_x"})
        self.assertEqual(len(page.context["rows"]), 50)  # a bad cursor starts from the newest

    def _list_queries(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("incidents:list"))
        return len(queries)


class JudgingOnThePage(IncidentTestCase):
    def test_the_head_sees_both_choices_and_escalates(self):
        incident = self.report()
        self.login("head")
        page = self.client.get(reverse("incidents:detail", args=[incident.pk]))
        self.assertContains(page, "Escalate as an emergency")
        self.assertContains(page, "Close as an ordinary fault")
        response = self.client.post(
            reverse("incidents:escalate", args=[incident.pk]), {"text": "核心系统故障"}
        )
        self.assertRedirects(response, reverse("incidents:detail", args=[incident.pk]))
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.ESCALATED)
        page = self.client.get(reverse("incidents:detail", args=[incident.pk]))
        self.assertContains(page, "Escalated as an emergency")
        self.assertContains(page, "核心系统故障")

    def test_the_home_page_lists_what_waits_for_the_heads_judgement(self):
        incident = self.report()
        self.login("head")
        page = self.client.get("/")
        self.assertContains(page, "Waiting for your judgement")
        self.assertContains(page, f"#{incident.pk} {incident.title}")
        self.assertContains(page, "→ Judge it within 15 minutes")
        self.login("expert")  # sees the open incident, has nothing to do on it yet
        page = self.client.get("/")
        self.assertNotContains(page, "Waiting for your judgement")
        self.assertNotContains(page, "→ ")
        self.login("sales")
        self.assertNotContains(self.client.get("/"), incident.title)

    def test_others_see_no_choices_and_are_refused(self):
        incident = self.report()
        self.login("expert")
        page = self.client.get(reverse("incidents:detail", args=[incident.pk]))
        self.assertNotContains(page, "Escalate as an emergency")
        response = self.client.post(reverse("incidents:escalate", args=[incident.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.REPORTED)

    def test_closing_without_a_reason_says_why_and_changes_nothing(self):
        incident = self.report()
        self.login("head")
        response = self.client.post(
            reverse("incidents:close_as_fault", args=[incident.pk]), {"text": ""}, follow=True
        )
        self.assertContains(response, "Say why this is an ordinary fault.")
        self.assertEqual(Incident.objects.get(pk=incident.pk).status, Status.REPORTED)
