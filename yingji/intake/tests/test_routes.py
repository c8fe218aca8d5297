"""Routes send matching alerts to another escalation policy or severity; silences keep
matching alerts but page and tell nobody until they end."""

import copy
import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.core.ratelimit import reset_budgets
from yingji.intake import services
from yingji.intake.matchers import all_match, parse_matchers
from yingji.intake.models import IncomingAlert, InhibitRule, IntakeSilence, Route
from yingji.intake.store import INSERTED
from yingji.intake.tests.engine import tell
from yingji.intake.tests.test_alertmanager import GROUP
from yingji.notify.models import Message
from yingji.oncall.escalation import policy_create
from yingji.oncall.models import Escalation
from yingji.org.testing import CastTestCase
from yingji.org.tests.test_api import ApiTestCase


def test_the_fast_insert_writes_every_column_a_new_alert_has():
    columns = {f.attname for f in IncomingAlert._meta.concrete_fields}
    assert set(INSERTED) == columns - {"id", "acknowledged_by_id"}


def test_matchers_follow_alertmanagers_syntax():
    labels = {"severity": "critical", "instance": "db-01:9100", "job": "mysql"}
    assert all_match(parse_matchers(["severity=critical", 'job=~"node|mysql"']), labels)
    assert not all_match(parse_matchers(["instance!=db-01:9100"]), labels)
    assert all_match(parse_matchers(["instance=~db-.*", "alertname!~Test.*"]), labels)
    assert not all_match(parse_matchers(["instance=~db"]), labels)  # anchored, as Alertmanager
    assert all_match(parse_matchers(["team="]), labels)  # a missing label is empty
    for bad in (["severity"], ["job=~(unclosed"], [], ["a=b"] * 11):
        with pytest.raises(DomainError):
            parse_matchers(bad)


class RoutesAndSilences(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()
        self.default = policy_create(
            actor=SYSTEM, name="默认", steps=[{"target": "person", "person": self.executor_person}]
        )
        self.urgent = policy_create(
            actor=SYSTEM,
            name="紧急直达主管",
            steps=[{"target": "person", "person": self.head_person}],
        )
        self.integration, self.key = services.integration_create(
            actor=SYSTEM,
            name="AM",
            kind="alertmanager",
            escalation_policy=self.default,
            group_window_minutes=0,  # each alert pages on its own here
        )

    def send(self, payload: dict) -> None:
        answer = self.client.post(
            "/api/v1/intake/alertmanager",
            json.dumps(payload),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.key}"},
        )
        self.assertEqual(answer.status_code, 202, answer.content)
        tell()  # the engine's next cycle

    def policy_of(self, fingerprint: str) -> str:
        return Escalation.objects.get(alert__dedup_key=fingerprint).policy_name

    def test_the_first_matching_route_picks_the_policy_and_severity(self):
        services.route_create(
            actor=SYSTEM, matchers=["severity=critical"], escalation_policy=self.urgent, position=1
        )
        services.route_create(
            actor=SYSTEM,
            matchers=["instance=~db-02.*"],
            urgency="info",
            integration=self.integration,
            position=5,
            grade="II",
        )
        self.send(GROUP)
        self.assertEqual(self.policy_of("a1b2c3d4e5f60718"), "紧急直达主管")  # critical
        self.assertEqual(self.policy_of("0f1e2d3c4b5a6978"), "默认")  # warning, re-graded info
        regraded = IncomingAlert.objects.get(dedup_key="0f1e2d3c4b5a6978")
        self.assertEqual((regraded.urgency, regraded.grade), ("info", "II"))
        self.login("executor")  # the route's grade, not the one info would give (IV)
        report = self.client.get(f"/incidents/report/?incoming={regraded.pk}")
        self.assertEqual(report.context["form"].initial["severity"], "II")
        with self.assertRaisesMessage(DomainError, "a grade or more"):
            services.route_create(actor=SYSTEM, matchers=["a=b"])

    def test_a_silence_keeps_the_alert_and_tells_nobody_until_it_ends(self):
        services.integration_create(actor=SYSTEM, name="told", kind="pagerduty")
        silence = services.silence_create(
            actor=SYSTEM,
            matchers=["instance=~db-01.*"],
            ends_at=timezone.now() + timedelta(hours=2),
            reason="数据库例行维护",
        )
        self.send(GROUP)
        silenced = IncomingAlert.objects.get(dedup_key="a1b2c3d4e5f60718")
        self.assertTrue(silenced.silenced)
        self.assertFalse(Escalation.objects.filter(alert=silenced).exists())
        self.assertTrue(Escalation.objects.filter(alert__dedup_key="0f1e2d3c4b5a6978").exists())
        services.silence_expire(actor=SYSTEM, silence=silence)
        later = copy.deepcopy(GROUP)
        later["alerts"][0]["fingerprint"] = "ffff000011112222"
        self.send(later)
        self.assertFalse(IncomingAlert.objects.get(dedup_key="ffff000011112222").silenced)
        self.assertTrue(Escalation.objects.filter(alert__dedup_key="ffff000011112222").exists())
        now = timezone.now()
        for bad in (
            {"ends_at": now + timedelta(days=31)},
            {"ends_at": now - timedelta(minutes=1)},
            {"reason": " "},
        ):
            fields: dict[str, Any] = {
                "matchers": ["a=b"],
                "ends_at": now + timedelta(hours=1),
                "reason": "x",
                **bad,
            }
            with self.subTest(bad=bad), self.assertRaises(DomainError):
                services.silence_create(actor=SYSTEM, **fields)
        self.assertFalse(Message.objects.filter(event="intake.triggered").exists())

    def test_the_pages_create_routes_and_silences_for_managers_only(self):
        self.login("office")
        self.client.post(
            "/intake/routes/",
            {
                "matchers": 'severity=critical\njob=~"db.*"',
                "escalation_policy": self.urgent.pk,
                "position": "1",
            },
        )
        self.assertEqual(Route.objects.get().matchers, ["severity=critical", 'job=~"db.*"'])
        bad = self.client.post(
            "/intake/routes/", {"matchers": "severity", "urgency": "info", "position": "1"}
        )
        self.assertContains(bad, "is not a matcher")
        until = (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
        self.client.post(
            "/intake/silences/",
            {"matchers": "alertname=Backup", "ends_at": until, "reason": "备份窗口"},
        )
        silence = IntakeSilence.objects.get()
        self.assertContains(self.client.get("/intake/silences/"), "备份窗口")
        self.client.post(f"/intake/silences/{silence.pk}/expire/")
        self.assertLessEqual(IntakeSilence.objects.get().ends_at, timezone.now())
        self.client.post(
            "/intake/inhibit-rules/",
            {
                "source": "alertname=DatacenterDown",
                "target": "severity=warning",
                "equal": "dc, cluster",
                "reason": "机房停电",
            },
        )
        rule = InhibitRule.objects.get()
        self.assertEqual(
            (rule.source, rule.target, rule.equal),
            (["alertname=DatacenterDown"], ["severity=warning"], ["dc", "cluster"]),
        )
        self.assertContains(self.client.get("/intake/inhibit-rules/"), "机房停电")
        bad = self.client.post(
            "/intake/inhibit-rules/", {"source": "a=b", "target": "c=d", "equal": "no-dashes"}
        )
        self.assertContains(bad, "up to 10 label names")
        self.login("staff")
        self.assertEqual(self.client.get("/intake/routes/").status_code, 200)
        self.assertEqual(self.client.post("/intake/silences/", {}).status_code, 403)
        self.assertEqual(
            self.client.post(f"/intake/inhibit-rules/{rule.pk}/delete/").status_code, 403
        )
        self.login("office")
        self.client.post(f"/intake/inhibit-rules/{rule.pk}/delete/")
        self.assertFalse(InhibitRule.objects.exists())


class RoutesApi(ApiTestCase):
    def test_routes_and_silences_through_the_api(self):
        office = self.api("office")
        route = office.post(
            "/api/v1/intake/routes/",
            {"matchers": ["severity=critical"], "urgency": "critical"},
            format="json",
        )
        self.assertEqual(route.status_code, 201, route.content)
        bad = office.post(
            "/api/v1/intake/routes/", {"matchers": ["nope"], "urgency": "info"}, format="json"
        )
        self.assertEqual((bad.status_code, bad.json()["field"]), (400, "matchers"))
        until = (timezone.now() + timedelta(hours=1)).isoformat()
        silence = office.post(
            "/api/v1/intake/silences/",
            {"matchers": ["job=backup"], "ends_at": until, "reason": "备份"},
            format="json",
        )
        self.assertEqual(silence.status_code, 201, silence.content)
        ended = office.post(f"/api/v1/intake/silences/{silence.json()['id']}/expire/")
        self.assertEqual(ended.status_code, 200)
        self.assertEqual(
            self.api("staff")
            .post(
                "/api/v1/intake/silences/",
                {"matchers": ["a=b"], "ends_at": until, "reason": "x"},
                format="json",
            )
            .status_code,
            403,
        )


class Inhibition(ApiTestCase):
    def test_an_open_critical_alert_mutes_its_dependent_warnings_only(self):
        reset_budgets()
        _integration, key = services.integration_create(
            actor=SYSTEM, name="AM", kind="alertmanager"
        )
        services.inhibit_rule_create(
            actor=SYSTEM,
            source=["alertname=DatacenterDown"],
            target=["severity=warning"],
            equal=["dc"],
            reason="机房断电时不再逐台告警",
        )

        def alert(name: str, dc: str, severity: str) -> dict:
            return {
                "status": "firing",
                "fingerprint": f"{name}-{dc}",
                "labels": {"alertname": name, "dc": dc, "severity": severity},
            }

        def send(*alerts: dict) -> None:
            answer = self.client.post(
                "/api/v1/intake/alertmanager",
                json.dumps({"version": "4", "alerts": alerts}),
                content_type="application/json",
                headers={"Authorization": f"Bearer {key}"},
            )
            self.assertEqual(answer.status_code, 202, answer.content)

        send(alert("DatacenterDown", "A", "critical"))
        send(alert("HostDown", "A", "warning"), alert("HostDown", "B", "warning"))
        muted = dict(IncomingAlert.objects.values_list("dedup_key", "silenced"))
        self.assertEqual(
            muted, {"DatacenterDown-A": False, "HostDown-A": True, "HostDown-B": False}
        )
        send({**alert("DatacenterDown", "A", "critical"), "status": "resolved"})
        send(alert("DiskFull", "A", "warning"))  # the source has resolved: no longer muted
        self.assertFalse(IncomingAlert.objects.get(dedup_key="DiskFull-A").silenced)
        send(alert("HostDown", "C", "warning"), alert("DatacenterDown", "C", "critical"))
        self.assertTrue(IncomingAlert.objects.get(dedup_key="HostDown-C").silenced)  # same payload
        send(alert("RackDown", "B", "critical"))  # open before the rule that names it
        services.inhibit_rule_create(
            actor=SYSTEM, source=["alertname=RackDown"], target=["severity=info"], equal=["dc"]
        )
        send(alert("FanSlow", "B", "info"), alert("FanSlow", "A", "info"))
        muted = dict(
            IncomingAlert.objects.filter(labels__alertname="FanSlow").values_list(
                "dedup_key", "silenced"
            )
        )
        self.assertEqual(muted, {"FanSlow-B": True, "FanSlow-A": False})
        with self.assertRaises(DomainError):
            services.inhibit_rule_create(
                actor=SYSTEM, source=["a=b"], target=["c=d"], equal=["not a label"]
            )

    def test_the_api_writes_inhibit_rules_for_managers(self):
        office = self.api("office")
        created = office.post(
            "/api/v1/intake/inhibit-rules/",
            {
                "source": ["alertname=DatacenterDown"],
                "target": ["severity=warning"],
                "equal": ["dc"],
            },
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        staff = self.api("staff")
        self.assertEqual(
            staff.post(
                "/api/v1/intake/inhibit-rules/",
                {"source": ["a=b"], "target": ["c=d"]},
                format="json",
            ).status_code,
            403,
        )
