"""Integrations are created in the pages, the API and the CLI (the key shown once); people
acknowledge (认领) and resolve incoming alerts; outsiders see nothing."""

import json

from yingji.core.actors import SYSTEM
from yingji.core.ratelimit import reset_budgets
from yingji.core.tests.test_settings_and_cli import run_yingji
from yingji.incidents.models import Incident
from yingji.incidents.tests.test_api import REPORT as API_REPORT
from yingji.incidents.tests.test_pages import REPORT as PAGE_REPORT
from yingji.intake import services
from yingji.intake.models import IncomingAlert, Integration
from yingji.intake.tests.test_pagerduty import EXAMPLE
from yingji.org.tests.test_api import ApiTestCase


class Setup(ApiTestCase):
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()

    def trigger(self, key: str, dedup_key: str = "srv01/mysql") -> None:
        body = {**EXAMPLE, "routing_key": key, "dedup_key": dedup_key}
        answer = self.client.post("/v2/enqueue", json.dumps(body), content_type="application/json")
        self.assertEqual(answer.status_code, 202, answer.content)

    def test_the_office_creates_an_integration_in_the_page_and_sees_the_key_once(self):
        self.login("office")
        page = self.client.post(
            "/intake/integrations/",
            {
                "name": "生产 Alertmanager",
                "kind": "alertmanager",
                "responsible": [self.executor_person.pk],
            },
        )
        integration = Integration.objects.get()
        key = page.context["created"][1]
        self.assertContains(page, key)
        self.assertContains(page, "/api/v1/intake/alertmanager")  # the receiver to paste
        self.assertEqual(integration.key_hint, key[-4:])
        self.assertNotContains(self.client.get("/intake/integrations/"), key)  # once only
        self.assertContains(
            self.client.post(
                "/intake/integrations/", {"name": "生产 Alertmanager", "kind": "alertmanager"}
            ),
            "exists",
        )
        renewed = self.client.post(f"/intake/integrations/{integration.pk}/key/")
        new_key = renewed.context["created"][1]
        self.assertNotEqual(new_key, key)
        self.assertIsNone(services.integration_for_key(key, "alertmanager"))
        self.assertEqual(services.integration_for_key(new_key, "alertmanager"), integration)
        self.login("staff")
        self.assertEqual(
            self.client.post(
                "/intake/integrations/", {"name": "x", "kind": "pagerduty"}
            ).status_code,
            403,
        )
        self.assertEqual(
            self.client.post(f"/intake/integrations/{integration.pk}/key/").status_code, 403
        )
        self.assertEqual(
            self.client.get(f"/intake/integrations/{integration.pk}/").status_code, 403
        )

    def test_the_office_changes_an_integrations_settings_in_its_page(self):
        integration, _key = services.integration_create(
            actor=SYSTEM, name="AM", kind="alertmanager"
        )
        self.login("office")
        page = self.client.get(f"/intake/integrations/{integration.pk}/")
        self.assertNotContains(page, 'name="kind"')  # the kind stays
        self.assertNotContains(page, 'name="mapping"')  # generic JSON only
        answer = self.client.post(
            f"/intake/integrations/{integration.pk}/",
            {
                "name": "生产 AM",
                "responsible": [self.executor_person.pk],
                "group_by": "alertname, dc",
                "group_window_minutes": "15",
                "active": "on",
            },
        )
        self.assertRedirects(answer, "/intake/integrations/")
        integration.refresh_from_db()
        self.assertEqual(
            (
                integration.name,
                integration.group_by,
                integration.group_window_minutes,
                list(integration.responsible.all()),
            ),
            ("生产 AM", ["alertname", "dc"], 15, [self.executor_person]),
        )
        listed = self.client.get("/intake/integrations/")
        self.assertContains(listed, "<code>dc</code>")
        bad = self.client.post(
            f"/intake/integrations/{integration.pk}/",
            {
                "name": "生产 AM",
                "group_by": " ".join(f"l{i}" for i in range(11)),
                "group_window_minutes": "15",
            },
        )
        self.assertContains(bad, "up to 10 label names")
        self.client.post(f"/intake/integrations/{integration.pk}/", {"name": "生产 AM"})
        integration.refresh_from_db()
        self.assertFalse(integration.active)  # unticked: its key is refused
        self.assertIsNone(services.integration_for_key(_key, "alertmanager"))

    def test_the_named_engineer_acknowledges_then_resolves_in_the_pages(self):
        _integration, key = services.integration_create(
            actor=SYSTEM, name="Zabbix", kind="pagerduty", responsible=[self.executor_person]
        )
        self.trigger(key)
        alert = IncomingAlert.objects.get()
        self.login("staff")  # may read, may not act
        self.assertContains(self.client.get("/intake/alerts/"), "DISK at 99%")
        self.assertEqual(
            self.client.post(f"/intake/alerts/{alert.pk}/acknowledge/").status_code, 403
        )
        self.login("executor")
        page = self.client.get(f"/intake/alerts/{alert.pk}/")
        self.assertContains(page, "srv01/mysql")
        self.assertContains(page, "free space")
        self.client.post(f"/intake/alerts/{alert.pk}/acknowledge/")
        alert.refresh_from_db()
        self.assertEqual((alert.state, alert.acknowledged_by), ("acknowledged", self.executor))
        self.client.post(f"/intake/alerts/{alert.pk}/resolve/")
        self.assertEqual(self.refreshed(alert).state, "resolved")
        self.assertNotContains(self.client.get("/intake/alerts/"), "DISK at 99%")  # open only
        self.assertContains(self.client.get("/intake/alerts/?state=resolved"), "DISK at 99%")
        self.trigger(key)  # the sender's next trigger opens a new alert
        self.assertEqual(IncomingAlert.objects.count(), 2)
        report = self.client.get(f"/incidents/report/?incoming={alert.pk}")
        self.assertEqual(report.context["form"].initial["title"], alert.summary)
        self.assertEqual(report.context["form"].initial["severity"], "I")  # critical
        reported = self.client.post(
            f"/incidents/report/?incoming={alert.pk}", {**PAGE_REPORT, "title": alert.summary}
        )
        incident = Incident.objects.get(title=alert.summary)
        self.assertRedirects(reported, f"/incidents/{incident.pk}/")
        self.assertEqual(self.refreshed(alert).incident, incident)
        page = self.client.get(f"/intake/alerts/{alert.pk}/")
        self.assertContains(page, f"/incidents/{incident.pk}/")  # the alert shows its incident
        self.assertNotContains(page, "?incoming=")  # and is not offered for reporting again
        incident_page = self.client.get(f"/incidents/{incident.pk}/")  # intake's panel there
        self.assertContains(incident_page, 'id="incoming-alerts"')
        self.assertContains(incident_page, f"/intake/alerts/{alert.pk}/")
        self.login("outsider")
        self.assertEqual(self.client.get(f"/intake/alerts/{alert.pk}/").status_code, 404)
        self.assertEqual(
            self.client.get(f"/incidents/report/?incoming={alert.pk}").context["form"].initial, {}
        )

    def test_the_api_creates_integrations_and_acts_on_alerts(self):
        office = self.api("office")
        created = office.post(
            "/api/v1/intake/integrations/",
            {"name": "Grafana", "kind": "pagerduty", "responsible": [self.executor_person.pk]},
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        key = created.json()["key"]
        self.assertEqual(
            office.get("/api/v1/intake/integrations/").json()["results"][0].get("key"), None
        )
        bad = office.post(
            "/api/v1/intake/integrations/", {"name": "x", "kind": "fax"}, format="json"
        )
        self.assertEqual(bad.status_code, 400)
        self.trigger(key)
        listed = office.get("/api/v1/intake/alerts/?state=open").json()["results"]
        self.assertEqual([a["dedup_key"] for a in listed], ["srv01/mysql"])
        acked = office.post(f"/api/v1/intake/alerts/{listed[0]['id']}/acknowledge/")
        self.assertEqual(acked.json()["state"], "acknowledged")
        resolved = office.post(f"/api/v1/intake/alerts/{listed[0]['id']}/resolve/")
        self.assertEqual(resolved.json()["state"], "resolved")
        again = office.post(f"/api/v1/intake/alerts/{listed[0]['id']}/acknowledge/")
        self.assertEqual(again.status_code, 409)
        reported = office.post("/api/v1/incidents/", API_REPORT, format="json").json()
        linked = office.post(
            f"/api/v1/intake/alerts/{listed[0]['id']}/incident/",
            {"incident": reported["id"]},
            format="json",
        )
        self.assertEqual((linked.status_code, linked.json()["incident"]), (200, reported["id"]))
        self.assertEqual(
            office.post(
                f"/api/v1/intake/alerts/{listed[0]['id']}/incident/",
                {"incident": 999999},
                format="json",
            ).status_code,
            404,
        )
        self.assertEqual(
            self.api("staff")
            .post("/api/v1/intake/integrations/", {"name": "y", "kind": "pagerduty"}, format="json")
            .status_code,
            403,
        )
        self.assertEqual(self.api("outsider").get("/api/v1/intake/alerts/").json()["results"], [])


def test_integration_create_prints_a_key_the_endpoint_accepts(tmp_path):
    env = {"YINGJI_DATA_DIR": str(tmp_path)}
    assert run_yingji("demo", env=env).returncode == 0
    made = run_yingji(
        "integration",
        "create",
        "--kind",
        "alertmanager",
        "--name",
        "生产 AM",
        "--group-by",
        "alertname",
        "dc",
        "--group-window",
        "10",
        env=env,
    )
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("yjk_") and len(key) == 32
    listed = run_yingji("integration", "list", env=env)
    assert "生产 AM" in listed.stdout and key[-4:] in listed.stdout and key not in listed.stdout
    twice = run_yingji(
        "integration", "create", "--kind", "alertmanager", "--name", "生产 AM", env=env
    )
    assert twice.returncode != 0 and "已有同名的接入" in twice.stderr  # the default language
    wide = run_yingji(
        "integration",
        "create",
        "--kind",
        "alertmanager",
        "--name",
        "x",
        "--group-window",
        "2000",
        env=env,
    )
    assert wide.returncode != 0 and "1440" in wide.stderr
    wrong = run_yingji("integration", "create", "--kind", "fax", "--name", "x", env=env)
    assert wrong.returncode != 0 and "invalid choice" in wrong.stderr
