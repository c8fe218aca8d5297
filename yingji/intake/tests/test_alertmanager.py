"""Alertmanager's webhook (payload version 4) into POST /api/v1/intake/alertmanager: a group
that repeats the whole group upserts by fingerprint, resolved alerts close, and a real
Alertmanager, fed through its own API, reaches Yingji end to end."""

import copy
import json
import tempfile
import time
from typing import Any

from django.test import LiveServerTestCase

from yingji.core.actors import SYSTEM
from yingji.core.ratelimit import reset_budgets
from yingji.intake import services
from yingji.intake.models import IncomingAlert
from yingji.intake.tests.engine import tell
from yingji.intake.tests.peers import PAGERDUTY, alertmanager, post_alerts, prometheus
from yingji.notify.models import Message
from yingji.org.testing import CastTestCase

# The shape of Alertmanager's documented webhook payload (version 4), with two alerts.
GROUP: dict[str, Any] = {
    "version": "4",
    "groupKey": '{}:{alertname="HighCPU"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "yingji",
    "groupLabels": {"alertname": "HighCPU"},
    "commonLabels": {"alertname": "HighCPU", "severity": "critical"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.internal:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "HighCPU", "instance": "db-01:9100", "severity": "critical"},
            "annotations": {"summary": "核心数据库 CPU 高于 90% 已 5 分钟"},
            "startsAt": "2026-11-28T10:00:00.000+08:00",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.internal:9090/graph?g0.expr=cpu",
            "fingerprint": "a1b2c3d4e5f60718",
        },
        {
            "status": "firing",
            "labels": {"alertname": "HighCPU", "instance": "db-02:9100", "severity": "warning"},
            "annotations": {"description": "CPU above 80%"},
            "startsAt": "2026-11-28T10:01:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "javascript:alert(1)",
            "fingerprint": "0f1e2d3c4b5a6978",
        },
    ],
}


class AlertmanagerPayloads(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        reset_budgets()
        self.integration, self.key = services.integration_create(
            actor=SYSTEM, name="生产 Prometheus", kind="alertmanager"
        )

    def send(self, payload: dict, key: str | None = None):
        answer = self.client.post(
            "/api/v1/intake/alertmanager",
            json.dumps(payload),
            content_type="application/json",
            headers={"Authorization": f"Bearer {key or self.key}"},
        )
        tell()  # the engine's next cycle
        return answer

    def test_a_group_opens_one_alert_per_fingerprint_and_one_notice(self):
        answer = self.send(GROUP)
        self.assertEqual(answer.status_code, 202, answer.content)
        self.assertEqual(
            [a["dedup_key"] for a in answer.json()["alerts"]],
            ["a1b2c3d4e5f60718", "0f1e2d3c4b5a6978"],
        )
        first, second = IncomingAlert.objects.order_by("pk")
        self.assertEqual(
            (first.summary, first.urgency, first.source),
            ("核心数据库 CPU 高于 90% 已 5 分钟", "critical", "db-01:9100"),
        )
        self.assertEqual(first.started_at.isoformat(), "2026-11-28T02:00:00+00:00")
        self.assertEqual((second.summary, second.urgency), ("CPU above 80%", "warning"))
        self.assertEqual(first.link, "http://prometheus.internal:9090/graph?g0.expr=cpu")
        self.assertEqual(second.link, "http://alertmanager.internal:9093")  # never javascript:
        notice = Message.objects.get(event="intake.triggered")
        self.assertIn("核心数据库", notice.body)
        self.assertIn("CPU above 80%", notice.body)
        # no one named: the office is told
        self.assertEqual(
            {d.person for d in notice.deliveries.all() if d.person},
            set(services.recipients(self.integration)),
        )

    def test_the_repeated_group_upserts_and_a_resolved_alert_closes(self):
        self.send(GROUP)
        self.send(GROUP)  # Alertmanager repeats the whole group on every change
        self.assertEqual(
            list(IncomingAlert.objects.values_list("times_received", flat=True)), [2, 2]
        )
        resolved = copy.deepcopy(GROUP)
        resolved["alerts"][0].update(status="resolved", endsAt="2026-11-28T10:20:00+08:00")
        self.send(resolved)
        first = IncomingAlert.objects.get(dedup_key="a1b2c3d4e5f60718")
        assert first.resolved_at is not None
        self.assertEqual(
            (first.state, first.resolved_at.isoformat()), ("resolved", "2026-11-28T02:20:00+00:00")
        )
        self.assertEqual(IncomingAlert.objects.get(dedup_key="0f1e2d3c4b5a6978").times_received, 3)
        self.assertEqual(Message.objects.filter(event="intake.triggered").count(), 1)
        self.assertEqual(Message.objects.filter(event="intake.resolved").count(), 1)
        self.send(resolved)  # a replayed resolution changes nothing
        self.assertEqual(IncomingAlert.objects.count(), 2)
        self.assertEqual(Message.objects.filter(event="intake.resolved").count(), 1)

    def test_resolved_and_opened_again_in_one_payload_is_applied_in_order(self):
        self.send(GROUP)
        again = copy.deepcopy(GROUP)
        again["alerts"][0].update(status="resolved", endsAt="2026-11-28T10:20:00+08:00")
        reopened = copy.deepcopy(GROUP["alerts"][0])
        reopened["startsAt"] = "2026-11-28T10:25:00+08:00"
        again["alerts"].append(reopened)
        answer = self.send(again)  # once refused with 500, on every retry
        self.assertEqual(answer.status_code, 202, answer.content)
        states = list(
            IncomingAlert.objects.filter(dedup_key="a1b2c3d4e5f60718")
            .order_by("pk")
            .values_list("state", flat=True)
        )
        self.assertEqual(states, ["resolved", "triggered"])

    def test_a_storm_tells_the_office_once_per_window_by_default(self):
        for n in range(20):  # twenty payloads of different alerts within a few seconds
            storm = copy.deepcopy(GROUP)
            storm["alerts"] = [dict(GROUP["alerts"][0], fingerprint=f"storm{n:04d}")]
            self.assertEqual(self.send(storm).status_code, 202)
        self.assertEqual(IncomingAlert.objects.count(), 20)
        self.assertEqual(IncomingAlert.objects.filter(lead__isnull=True).count(), 1)
        self.assertEqual(Message.objects.filter(event="intake.triggered").count(), 1)

    def test_without_a_fingerprint_the_labels_are_the_identity(self):
        payload = copy.deepcopy(GROUP)
        for alert in payload["alerts"]:
            del alert["fingerprint"]
        self.send(payload)
        self.send(payload)
        self.assertEqual(IncomingAlert.objects.count(), 2)

    def test_a_bad_payload_is_refused_whole_with_every_reason(self):
        bad = copy.deepcopy(GROUP)
        bad["alerts"][1]["status"] = "burning"
        bad["alerts"].append({"status": "firing", "labels": {"n": 1}})
        answer = self.send(bad)
        self.assertEqual(answer.status_code, 400)
        errors = answer.json()["errors"]
        self.assertTrue(errors[0].startswith("Alert 1:"), errors)
        self.assertTrue(any(e.startswith("Alert 2:") for e in errors), errors)
        self.assertFalse(IncomingAlert.objects.exists())  # the good alert is not half-stored
        self.assertEqual(self.send({**GROUP, "version": "3"}).status_code, 400)
        self.assertEqual(self.send(GROUP, key="yjk_wrong").status_code, 401)
        pagerduty, pd_key = services.integration_create(actor=SYSTEM, name="PD", kind="pagerduty")
        self.assertEqual(self.send(GROUP, key=pd_key).status_code, 401)  # another kind's key
        huge = self.client.post(
            "/api/v1/intake/alertmanager",
            b"[" + b" " * (5 * 1024 * 1024) + b"]",
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.key}"},
        )
        self.assertEqual(huge.status_code, 413)


class RealAlertmanager(LiveServerTestCase):
    def wait_for(self, condition, seconds: float = 20.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        self.fail("Alertmanager's notification never arrived")

    def test_alerts_fed_to_alertmanager_reach_yingji_and_resolve(self):
        reset_budgets()
        _integration, key = services.integration_create(
            actor=SYSTEM, name="AM", kind="alertmanager"
        )
        webhook = f"{self.live_server_url}/api/v1/intake/alertmanager"
        alerts = [
            {
                "labels": {"alertname": "DiskFull", "instance": f"app-{n}", "severity": "critical"},
                "annotations": {"summary": f"app-{n} 磁盘使用率 98%"},
            }
            for n in range(3)
        ]
        with (
            tempfile.TemporaryDirectory() as tmp,
            alertmanager(tmp, webhook=webhook, key=key) as base,
        ):
            post_alerts(base, alerts)
            self.wait_for(lambda: IncomingAlert.objects.filter(state="triggered").count() == 3)
            fingerprints = set(IncomingAlert.objects.values_list("dedup_key", flat=True))
            ended = [{**alerts[0], "endsAt": "2020-01-01T00:00:00Z"}]
            post_alerts(base, ended)
            self.wait_for(lambda: IncomingAlert.objects.filter(state="resolved").count() == 1)
        closed = IncomingAlert.objects.get(state="resolved")
        self.assertEqual(closed.summary, "app-0 磁盘使用率 98%")
        self.assertEqual(IncomingAlert.objects.count(), 3)  # upserted, never duplicated
        self.assertEqual(
            set(IncomingAlert.objects.values_list("dedup_key", flat=True)), fingerprints
        )
        self.assertEqual(len(next(iter(fingerprints))), 16)  # Alertmanager's own fingerprint

    def test_a_prometheus_rule_that_fires_reaches_yingji_through_alertmanager(self):
        reset_budgets()
        _integration, key = services.integration_create(
            actor=SYSTEM, name="Prometheus", kind="alertmanager"
        )
        webhook = f"{self.live_server_url}/api/v1/intake/alertmanager"
        with (
            tempfile.TemporaryDirectory() as am_tmp,
            tempfile.TemporaryDirectory() as tmp,
            alertmanager(am_tmp, webhook=webhook, key=key) as am_base,
            prometheus(tmp, alertmanager=am_base.removeprefix("http://")),
        ):
            self.wait_for(lambda: IncomingAlert.objects.exists(), seconds=60)
        alert = IncomingAlert.objects.get()
        self.assertEqual(
            (alert.summary, alert.urgency, alert.source),
            ("核心账务数据库不可达", "critical", "core-db-01"),
        )
        self.assertEqual(alert.labels["alertname"], "CoreDatabaseDown")
        self.assertIn("/graph?g0.expr=", alert.link)  # Prometheus' own link to the rule

    def test_alertmanagers_own_pagerduty_receiver_sends_to_v2_enqueue(self):
        reset_budgets()
        _integration, key = services.integration_create(
            actor=SYSTEM, name="AM via PD", kind="pagerduty"
        )
        alert = {
            "labels": {"alertname": "LinkDown", "instance": "core-sw-01", "severity": "critical"},
            "annotations": {"summary": "核心交换机上联口中断"},
        }
        with (
            tempfile.TemporaryDirectory() as tmp,
            alertmanager(
                tmp, webhook=f"{self.live_server_url}/v2/enqueue", key=key, receiver=PAGERDUTY
            ) as base,
        ):
            post_alerts(base, [alert])
            self.wait_for(lambda: IncomingAlert.objects.filter(state="triggered").exists())
            post_alerts(base, [{**alert, "endsAt": "2020-01-01T00:00:00Z"}])
            self.wait_for(lambda: IncomingAlert.objects.filter(state="resolved").exists())
        received = IncomingAlert.objects.get()  # one group, one key: trigger then resolve
        self.assertIn("LinkDown", received.summary)
        self.assertEqual(received.urgency, "error")  # Alertmanager's default PagerDuty severity


# Grafana alerting's webhook contact point, as its documentation shows the body.
GRAFANA: dict[str, Any] = {
    "receiver": "My Super Webhook",
    "status": "firing",
    "orgId": 1,
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "High memory usage", "team": "blue", "zone": "us-1"},
            "annotations": {
                "description": "The system has high memory usage",
                "runbook_url": "https://myrunbook.com/runbook/1234",
                "summary": "This alert was triggered for zone us-1",
            },
            "startsAt": "2021-10-12T09:51:03.157076+02:00",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "https://play.grafana.org/alerting/1afz29v7z/edit",
            "fingerprint": "c6eadffa33fcdf37",
            "silenceURL": "https://play.grafana.org/alerting/silence/new",
            "dashboardURL": "",
            "panelURL": "",
            "values": {"B": 44.23943737541908, "C": 1},
        }
    ],
    "groupLabels": {},
    "commonLabels": {"team": "blue"},
    "commonAnnotations": {},
    "externalURL": "https://play.grafana.org/",
    "version": "1",
    "groupKey": '{}:{alertname="High memory usage"}',
    "truncatedAlerts": 0,
    "title": "[FIRING:1]  (blue)",
    "state": "alerting",
    "message": "**Firing**",
}


class GrafanaWebhook(CastTestCase):
    def test_grafanas_documented_body_opens_and_resolves_by_fingerprint(self):
        reset_budgets()
        _integration, key = services.integration_create(
            actor=SYSTEM, name="Grafana", kind="grafana"
        )
        auth = {"Authorization": f"Bearer {key}"}
        answer = self.client.post(
            "/api/v1/intake/grafana",
            json.dumps(GRAFANA),
            content_type="application/json",
            headers=auth,
        )
        self.assertEqual(answer.status_code, 202, answer.content)
        alert = IncomingAlert.objects.get()
        self.assertEqual(alert.dedup_key, "c6eadffa33fcdf37")
        self.assertEqual(alert.summary, "This alert was triggered for zone us-1")
        self.assertEqual(alert.details["values"], {"B": 44.23943737541908, "C": 1})
        self.assertEqual(alert.link, "https://play.grafana.org/alerting/1afz29v7z/edit")
        ended = copy.deepcopy(GRAFANA)
        ended["alerts"][0].update(status="resolved", endsAt="2021-10-12T10:01:03+02:00")
        self.client.post(
            "/api/v1/intake/grafana",
            json.dumps(ended),
            content_type="application/json",
            headers=auth,
        )
        self.assertEqual(IncomingAlert.objects.get().state, "resolved")
        wrong_kind = self.client.post(
            "/api/v1/intake/alertmanager",
            json.dumps(GRAFANA),
            content_type="application/json",
            headers=auth,
        )
        self.assertEqual(wrong_kind.status_code, 401)
