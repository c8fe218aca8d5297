"""A confidential incident stays out of the audit trail of those who may not see it (issue 15,
R-ORG-2's example: a hacker attack is confidential); an explicit auditor reads everything."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from yingji.incidents.tests.test_report_and_triage import IncidentTestCase


class TheAuditTrailHidesWhatTheReaderMayNotSee(IncidentTestCase):
    def setUp(self) -> None:
        self.secret = self.report(confidential=True, title="黑客攻击核心系统")
        self.open = self.report(title="打印机卡纸")

    def audit_page(self, who: str, **query: str) -> str:
        self.login(who)
        response = self.client.get("/audit/", query)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_office_and_administrators_do_not_read_a_confidential_incidents_events(self):
        for who in ("office", "admin"):
            with self.subTest(who=who):
                page = self.audit_page(who)
                self.assertIn("打印机卡纸", page)
                self.assertNotIn("黑客攻击", page)
                self.assertNotIn("黑客攻击", self.audit_page(who, q="黑客"))
                self.assertEqual(self.client.get(f"/incidents/{self.secret.pk}/").status_code, 404)

    def test_an_auditor_is_named_explicitly_and_reads_everything(self):
        out = StringIO()
        call_command("auditor", "grant", self.cast["admin"].username, stdout=out)
        self.assertIn("is an auditor", out.getvalue())
        self.assertIn("黑客攻击", self.audit_page("admin"))
        call_command("auditor", "revoke", self.cast["admin"].username, stdout=StringIO())
        self.assertNotIn("黑客攻击", self.audit_page("admin"))


class NoticesCarryNoConfidentialTitle(IncidentTestCase):
    def test_the_facts_a_webhook_receives_hide_the_title_too(self):
        from yingji.incidents.services import incident_escalate
        from yingji.notify.models import Message
        from yingji.notify.rendering import notice_for

        secret = self.report(confidential=True, title="黑客攻击核心系统")
        incident_escalate(actor=self.head, incident=secret)
        message = Message.objects.get(key=f"incident:{secret.pk}:incident.escalated")
        notice = notice_for(message, "zh-hans")
        self.assertNotIn("黑客攻击", notice.title)
        self.assertNotIn("黑客攻击", str(notice.facts))
        self.assertEqual(notice.facts["number"], secret.pk)
