"""/api/v1/monitoring/: the office sets up an asset, its agent token, a check and a rule;
the engineer acknowledges or marks an alert as noise; outsiders see nothing."""

from datetime import timedelta

from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.monitoring import services
from yingji.monitoring.models import Alert, Check, Rule, Series
from yingji.org.tests.test_api import ApiTestCase


class MonitoringApi(ApiTestCase):
    def test_set_up_an_asset_with_a_token_a_check_and_a_rule(self):
        office = self.api("office")
        created = office.post(
            "/api/v1/monitoring/assets/",
            {
                "code": "CORE-01",
                "name": "核心系统",
                "kind": "system",
                "core": True,
                "responsible": [self.executor_person.pk],
            },
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        asset = created.json()["id"]
        token = office.post(f"/api/v1/monitoring/assets/{asset}/agent-token/").json()["token"]
        pushed = self.client.post(
            "/api/v1/metrics",
            {"samples": [{"metric": "cpu", "value": 5}]},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        self.assertEqual(pushed.status_code, 202)
        self.assertEqual(
            office.get(f"/api/v1/monitoring/assets/{asset}/series/").json()[0]["last_value"], 5
        )
        check = office.post(
            "/api/v1/monitoring/checks/",
            {
                "asset": asset,
                "name": "首页",
                "kind": "http",
                "target": "https://bank.example/",
            },
            format="json",
        )
        self.assertEqual(check.status_code, 201, check.content)
        rule = office.post(
            "/api/v1/monitoring/rules/",
            {
                "name": "CPU",
                "metric": "cpu",
                "operator": ">",
                "threshold": 90,
                "for_seconds": 300,
                "severity": "major",
            },
            format="json",
        )
        self.assertEqual(rule.status_code, 201, rule.content)
        bad = office.post(
            "/api/v1/monitoring/rules/",
            {
                "name": "x",
                "metric": "cpu load",
                "operator": ">",
                "threshold": 1,
                "severity": "major",
            },
            format="json",
        )
        self.assertEqual((bad.status_code, bad.json()["field"]), (400, "metric"))
        staff = self.api("staff")
        self.assertEqual(
            staff.post(
                "/api/v1/monitoring/rules/",
                {
                    "name": "x",
                    "metric": "cpu",
                    "operator": ">",
                    "threshold": 1,
                    "severity": "major",
                },
                format="json",
            ).status_code,
            403,
        )
        self.assertEqual(len(staff.get("/api/v1/monitoring/assets/").json()["results"]), 1)
        self.assertEqual(
            self.api("outsider").get("/api/v1/monitoring/assets/").json()["results"], []
        )

    def test_a_check_and_a_rule_are_changed_in_place_and_secrets_never_leave(self):
        asset = services.asset_create(
            actor=SYSTEM, code="SW-01", name="核心交换机", kind="network_device"
        )
        office = self.api("office")
        v3 = {
            "version": "3",
            "user": "yingji",
            "auth_protocol": "SHA",
            "auth_key": "auth-pass-1",
            "priv_protocol": "AES",
            "priv_key": "priv-pass-1",
        }
        created = office.post(
            "/api/v1/monitoring/checks/",
            {
                "asset": asset.pk,
                "name": "SNMP",
                "kind": "snmp",
                "target": "10.0.0.1:161",
                "config": v3,
            },
            format="json",
        )
        self.assertEqual(created.status_code, 201, created.content)
        shown = created.json()["config"]
        self.assertEqual(
            (shown["auth_key"], shown["priv_key"], shown["user"]),
            ("********", "********", "yingji"),
        )
        url = f"/api/v1/monitoring/checks/{created.json()['id']}/"
        # the settings sent back as read (mask included) change the interval, not the keys
        changed = office.patch(url, {"config": shown, "interval_seconds": 120}, format="json")
        self.assertEqual(changed.status_code, 200, changed.content)
        check = Check.objects.get()
        self.assertEqual((check.config, check.interval_seconds), (v3, 120))
        short = office.patch(url, {"config": {**v3, "priv_key": "short"}}, format="json")
        self.assertEqual((short.status_code, short.json()["field"]), (400, "config"))
        self.assertEqual(
            office.patch(url, {"timeout_seconds": 500}, format="json").status_code, 400
        )
        check.refresh_from_db()
        self.assertEqual((check.config, check.timeout_seconds), (v3, 10))  # nothing half-saved
        self.assertEqual(
            self.api("staff").patch(url, {"name": "x"}, format="json").status_code, 403
        )
        rule = services.rule_create(
            actor=SYSTEM, name="CPU", metric="cpu", operator=">", threshold=90, severity="major"
        )
        moved = office.patch(
            f"/api/v1/monitoring/rules/{rule.pk}/",
            {"threshold": 95, "for_seconds": 600},
            format="json",
        )
        self.assertEqual(moved.status_code, 200, moved.content)
        rule.refresh_from_db()
        self.assertEqual((rule.threshold, rule.for_seconds, rule.name), (95, 600, "CPU"))
        wrong = office.patch(
            f"/api/v1/monitoring/rules/{rule.pk}/", {"operator": "≈"}, format="json"
        )
        self.assertEqual(wrong.status_code, 400)

    def test_acknowledge_and_mark_as_noise(self):
        asset = services.asset_create(
            actor=SYSTEM, code="A", name="A", kind="server", responsible=[self.executor_person]
        )
        rule = services.rule_create(
            actor=SYSTEM, name="r", metric="m", operator=">", threshold=1, severity="minor"
        )
        series = Series.objects.create(asset=asset, metric="m")
        now = timezone.now()
        alert = services.alert_open(
            rule=rule, series=series, kind="threshold", at=now, value=2, now=now
        )
        assert alert is not None
        base = f"/api/v1/monitoring/alerts/{alert.pk}"
        self.assertEqual(self.api("staff").post(f"{base}/acknowledge/").status_code, 403)
        done = self.api("executor").post(f"{base}/acknowledge/")
        self.assertEqual(
            (done.status_code, done.json()["acknowledged_by"]), (200, self.executor.pk)
        )
        no_reason = self.api("executor").post(f"{base}/noise/", {}, format="json")
        self.assertEqual(no_reason.status_code, 400)
        noise = self.api("executor").post(
            f"{base}/noise/", {"reason": "备份窗口的正常高峰"}, format="json"
        )
        self.assertEqual(noise.json()["noise_reason"], "备份窗口的正常高峰")
        self.assertIsNone(Alert.objects.get().next_notify_at)
        self.assertEqual(Rule.objects.count(), 1)

    def test_maintenance_windows(self):
        asset = services.asset_create(actor=SYSTEM, code="A", name="A", kind="server")
        url = f"/api/v1/monitoring/assets/{asset.pk}/silences/"
        now = timezone.now()
        window = {
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(hours=2)).isoformat(),
            "reason": "数据库升级",
        }
        made = self.api("expert").post(url, window, format="json")
        self.assertEqual((made.status_code, len(made.json())), (200, 1), made.content)
        too_long = {**window, "ends_at": (now + timedelta(days=8)).isoformat()}
        refused = self.api("expert").post(url, too_long, format="json")
        self.assertEqual((refused.status_code, refused.json()["field"]), (400, "ends_at"))
        self.assertEqual(self.api("staff").post(url, window, format="json").status_code, 403)
        self.assertEqual(len(self.api("staff").get(url).json()), 1)
