"""The monitoring pages: assets with their alerts, an alert acknowledged or marked as noise
by its engineer, "report as emergency" with the form filled in, the agent token shown once;
outsiders see nothing."""

from datetime import timedelta

from django.utils import timezone, translation

from yingji.core.actors import SYSTEM
from yingji.monitoring import services
from yingji.monitoring.charts import asset_charts
from yingji.monitoring.metric_words import metric_words
from yingji.monitoring.models import Alert, Series
from yingji.monitoring.services.ingest import SampleRow
from yingji.org.testing import CastTestCase


class MonitoringPages(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.asset = services.asset_create(
            actor=SYSTEM,
            code="DC2-AC",
            name="二号机房空调",
            kind="facility",
            location="数据中心二号机房",
            responsible=[self.executor_person],
        )
        rule = services.rule_create(
            actor=SYSTEM,
            name="机房温度过高",
            metric="room_temp",
            operator=">",
            threshold=30,
            severity="critical",
        )
        series = Series.objects.create(asset=self.asset, metric="room_temp")
        now = timezone.now()
        alert = services.alert_open(
            rule=rule, series=series, kind="threshold", at=now, value=33.5, now=now
        )
        assert alert is not None
        self.alert = alert

    def test_the_list_the_alert_and_its_actions(self):
        self.login("staff")
        listing = self.client.get("/monitoring/")
        self.assertContains(listing, "二号机房空调")
        self.assertContains(listing, "机房温度过高")
        page = self.client.get(f"/monitoring/alerts/{self.alert.pk}/")
        self.assertContains(page, "33.5")
        self.assertNotContains(page, "Acknowledge")  # staff may not act on it
        self.login("executor")
        url = f"/monitoring/alerts/{self.alert.pk}/"
        self.assertContains(self.client.get(url), "Acknowledge")
        self.client.post(f"{url}acknowledge/")
        self.client.post(f"{url}noise/", {"reason": ""})
        self.assertEqual(Alert.objects.get().noise_reason, "")
        self.client.post(f"{url}noise/", {"reason": "传感器故障"})
        alert = Alert.objects.get()
        self.assertEqual((alert.acknowledged_by, alert.noise_reason), (self.executor, "传感器故障"))
        self.assertContains(self.client.get("/monitoring/alerts/"), "机房温度过高")

    def test_report_as_emergency_fills_in_the_report_form(self):
        self.login("executor")
        form = self.client.get(f"/incidents/report/?alert={self.alert.pk}").content.decode()
        self.assertIn('value="二号机房空调: 机房温度过高"', form)
        self.assertIn('value="数据中心二号机房"', form)
        self.assertIn('<option value="facility" selected>', form)
        self.assertIn('<option value="I" selected>', form)
        self.assertIn("room_temp = 33.5", form)
        blank = self.client.get("/incidents/report/?alert=999999").content.decode()
        self.assertNotIn("二号机房空调", blank)

    def test_the_agent_token_is_shown_once_and_outsiders_see_nothing(self):
        self.login("office")
        page = self.client.post(f"/monitoring/assets/{self.asset.pk}/agent-token/", follow=True)
        self.assertContains(page, "yingji agent --url")
        self.assertNotContains(
            self.client.get(f"/monitoring/assets/{self.asset.pk}/"), "yingji agent --url"
        )
        self.login("staff")
        refused = self.client.post(f"/monitoring/assets/{self.asset.pk}/agent-token/")
        self.assertEqual(refused.status_code, 403)
        self.login("outsider")
        self.assertEqual(self.client.get(f"/monitoring/assets/{self.asset.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/monitoring/alerts/{self.alert.pk}/").status_code, 404)
        self.assertEqual(self.client.get("/monitoring/").status_code, 403)

    def test_the_asset_page_draws_the_last_hour_averaged_per_minute(self):
        series = Series.objects.get(asset=self.asset, metric="room_temp")
        now = timezone.now().replace(second=0, microsecond=0)
        rows = [
            SampleRow("room_temp", "", (), now - timedelta(seconds=15 * i), 20 + i / 24)
            for i in range(240)
        ]
        services.samples_ingest(asset=self.asset, rows=rows)
        with self.assertNumQueries(2):  # the samples by minute, the rules' thresholds
            (chart,) = asset_charts([series], now)
        self.assertIn(len(chart.points.split()), (60, 61))  # one point a minute, not 240
        self.assertAlmostEqual(chart.low, 20, delta=0.2)  # minute averages of 20 → 30
        self.assertAlmostEqual(chart.high, 30, delta=0.2)
        self.assertIsNotNone(chart.threshold_y)  # the rule's 30 is in range
        self.login("staff")
        page = self.client.get(f"/monitoring/assets/{self.asset.pk}/").content.decode()
        self.assertIn('<polyline points="', page)
        self.assertIn('class="chart-threshold"', page)


class MetricsInWords(CastTestCase):
    def test_known_metrics_are_shown_in_words_with_their_unit_beside_their_name(self):
        asset = services.asset_create(actor=SYSTEM, code="DB", name="数据库", kind="server")
        services.samples_ingest(
            asset=asset, rows=[SampleRow("cpu_percent", "", (), timezone.now(), 42.0)]
        )
        self.login("staff")
        page = self.client.get(f"/monitoring/assets/{asset.pk}/")
        self.assertContains(page, "CPU usage (%)")
        self.assertContains(page, "cpu_percent")  # the name rules and senders use stays
        with translation.override("zh-hans"):
            self.assertEqual(metric_words("cpu_percent"), "CPU 使用率 (%)")
        self.assertEqual(metric_words("room_temperature_celsius"), "room_temperature_celsius")
