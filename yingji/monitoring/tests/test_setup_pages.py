"""Setting monitoring up in the pages: an asset, its check, a rule previewed against the
last 24 hours before it is saved (R-MON-1..2)."""

from datetime import timedelta

from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.monitoring import services
from yingji.monitoring.models import Asset, Check, Rule
from yingji.monitoring.services.ingest import SampleRow
from yingji.org.testing import CastTestCase

RULE = {
    "name": "CPU 持续 5 分钟高于 90%",
    "metric": "cpu_percent",
    "operator": ">",
    "threshold": "90",
    "for_seconds": "300",
    "recover_threshold": "80",
    "recover_seconds": "60",
    "severity": "major",
    "repeat_minutes": "30",
    "max_sends": "3",
}


class SetupPages(CastTestCase):
    def test_the_office_adds_an_asset_and_a_check(self):
        self.login("office")
        response = self.client.post(
            "/monitoring/assets/new/",
            {
                "code": "CORE-SW-01",
                "name": "核心交换机",
                "kind": "network_device",
                "responsible": [self.executor_person.pk],
                "location": "一号机房",
            },
        )
        asset = Asset.objects.get(code="CORE-SW-01")
        self.assertRedirects(response, f"/monitoring/assets/{asset.pk}/")
        self.assertEqual(list(asset.responsible.all()), [self.executor_person])
        bad = self.client.post(
            f"/monitoring/assets/{asset.pk}/checks/new/",
            {
                "name": "SNMP",
                "kind": "snmp",
                "target": "10.0.0.1",
                "interval_seconds": "60",
                "timeout_seconds": "5",
            },
        )
        self.assertContains(bad, "host:port")
        self.client.post(
            f"/monitoring/assets/{asset.pk}/checks/new/",
            {
                "name": "SNMP",
                "kind": "snmp",
                "target": "10.0.0.1:161",
                "interval_seconds": "60",
                "timeout_seconds": "5",
                "community": "yingji-ro",
            },
        )
        check = Check.objects.get()
        self.assertEqual(
            (check.kind, check.config), ("snmp", {"version": "2c", "community": "yingji-ro"})
        )
        edit = f"/monitoring/assets/{asset.pk}/checks/{check.pk}/"
        page = self.client.get(edit)
        self.assertContains(page, "10.0.0.1:161")
        self.assertNotContains(page, "yingji-ro")  # the community is never shown again
        form = {
            "name": "SNMP",
            "kind": "tcp",
            "target": "10.0.0.2:161",
            "interval_seconds": "30",
            "timeout_seconds": "5",
            "snmp_version": "2c",
            "community": "",
        }
        self.assertRedirects(self.client.post(edit, form), f"/monitoring/assets/{asset.pk}/")
        check.refresh_from_db()
        self.assertEqual(
            (check.kind, check.target, check.interval_seconds, check.config),
            ("snmp", "10.0.0.2:161", 30, {"version": "2c", "community": "yingji-ro"}),
        )
        weak = {
            **form,
            "snmp_version": "3",
            "user": "ops",
            "auth_protocol": "SHA",
            "auth_key": "short",
            "priv_protocol": "AES",
            "priv_key": "priv-pass-1",
        }
        self.assertContains(self.client.post(edit, weak), "8 to 64 characters")
        self.client.post(edit, {**weak, "auth_key": "auth-pass-1"})
        check.refresh_from_db()
        self.assertEqual(
            check.config,
            {
                "version": "3",
                "user": "ops",
                "auth_protocol": "SHA",
                "auth_key": "auth-pass-1",
                "priv_protocol": "AES",
                "priv_key": "priv-pass-1",
            },
        )
        self.login("staff")
        self.assertEqual(self.client.get("/monitoring/assets/new/").status_code, 403)
        self.assertEqual(self.client.get(edit).status_code, 403)

    def test_a_rule_is_previewed_against_the_last_day_then_saved(self):
        asset = services.asset_create(actor=SYSTEM, code="DB", name="核心数据库", kind="server")
        now = timezone.now()
        rows = [
            SampleRow(
                "cpu_percent",
                "",
                (),
                now - timedelta(seconds=15 * i),
                97.0 if 40 <= i < 80 else 30.0,
            )
            for i in range(400)
        ]
        services.samples_ingest(asset=asset, rows=rows)
        self.login("expert")
        page = self.client.post("/monitoring/rules/", {**RULE, "preview": "1"})
        self.assertContains(page, "It would have fired 1 time.")
        self.assertContains(page, "核心数据库")
        self.assertFalse(Rule.objects.exists())  # a preview saves nothing
        stricter = self.client.post(
            "/monitoring/rules/", {**RULE, "for_seconds": "900", "preview": "1"}
        )
        self.assertContains(stricter, "It would not have fired.")
        self.client.post("/monitoring/rules/", RULE)
        self.assertEqual(Rule.objects.get().for_seconds, 300)
        self.login("staff")
        self.assertNotContains(self.client.get("/monitoring/rules/"), "Preview")
        self.assertEqual(self.client.post("/monitoring/rules/", RULE).status_code, 403)


class Retiring(CastTestCase):
    def test_switching_off_a_rule_a_check_and_retiring_an_asset(self):
        asset = services.asset_create(actor=SYSTEM, code="A", name="甲", kind="server")
        check = services.check_create(
            actor=SYSTEM, asset=asset, name="端口", kind="tcp", target="127.0.0.1:9"
        )
        rule = services.rule_create(
            actor=SYSTEM, name="r", metric="m", operator=">", threshold=1, severity="minor"
        )
        series = asset.series.create(metric="m")
        now = timezone.now()
        services.alert_open(rule=rule, series=series, kind="threshold", at=now, value=2, now=now)
        self.login("expert")
        self.client.post(f"/monitoring/rules/{rule.pk}/switch/", {"on": "0"})
        rule.refresh_from_db()
        self.assertFalse(rule.enabled)
        self.assertEqual(rule.alerts.get().status, "resolved")  # silently closed
        self.client.post(f"/monitoring/assets/{asset.pk}/checks/{check.pk}/switch/", {"on": "0"})
        self.assertFalse(Check.objects.get().enabled)
        self.client.post(f"/monitoring/assets/{asset.pk}/switch/", {"on": "0"})
        self.assertFalse(Asset.objects.get().active)
        local = timezone.localtime(now)  # the form is in the organisation's time zone
        window = {
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "reason": "升级",
            "ends_at": (local + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        }
        self.client.post(f"/monitoring/assets/{asset.pk}/silences/", window)
        self.assertEqual(asset.silences.count(), 1)
        self.login("staff")
        self.assertEqual(
            self.client.post(f"/monitoring/rules/{rule.pk}/switch/", {"on": "1"}).status_code, 403
        )
        self.assertFalse(Rule.objects.get().enabled)


class EditingARule(CastTestCase):
    def test_a_rule_is_changed_in_place_after_a_preview_and_checked_like_a_new_one(self):
        services.asset_create(actor=SYSTEM, code="DB", name="库", kind="server")
        rule = services.rule_create(
            actor=SYSTEM,
            name="CPU",
            metric="cpu_percent",
            operator=">",
            threshold=90,
            severity="major",
        )
        self.login("expert")
        page = self.client.get(f"/monitoring/rules/{rule.pk}/")
        self.assertContains(page, 'value="90.0"')
        changed = {**RULE, "threshold": "95", "for_seconds": "120"}
        self.client.post(f"/monitoring/rules/{rule.pk}/", {**changed, "preview": "1"})
        self.assertEqual(Rule.objects.get().threshold, 90)  # a preview changes nothing
        self.client.post(f"/monitoring/rules/{rule.pk}/", changed)
        rule.refresh_from_db()
        self.assertEqual((rule.threshold, rule.for_seconds), (95, 120))
        bad = self.client.post(f"/monitoring/rules/{rule.pk}/", {**changed, "m": "5", "n": "2"})
        self.assertContains(bad, "M ≤ N")
        self.assertIsNone(Rule.objects.get().m)
        self.login("staff")
        self.assertEqual(self.client.get(f"/monitoring/rules/{rule.pk}/").status_code, 403)
