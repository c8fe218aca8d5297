"""Hourly rollups: each complete hour of each series is summed up once; quiet stretches
are skipped; charts over a day read them; raw samples and rollups expire on their own
schedules (R-MON-1)."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.test import override_settings

from yingji.core.actors import SYSTEM
from yingji.engine.loop import Engine
from yingji.monitoring import services
from yingji.monitoring.charts import asset_charts
from yingji.monitoring.models import Sample, SampleRollup, Series
from yingji.monitoring.services.ingest import SampleRow
from yingji.monitoring.services.rollups import rollups_due
from yingji.org.testing import CastTestCase

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


class Rollups(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.asset = services.asset_create(actor=SYSTEM, code="A", name="甲", kind="server")

    def minutes(self, start: datetime, count: int, value) -> None:
        rows = [
            SampleRow("cpu_percent", "", (), start + timedelta(minutes=i), value(i))
            for i in range(count)
        ]
        with time_machine.travel(start + timedelta(minutes=count), tick=False):
            services.samples_ingest(asset=self.asset, rows=rows)

    def test_each_complete_hour_once_and_quiet_stretches_are_skipped(self):
        self.minutes(T0, 180, lambda i: float(i % 60))  # 08:00-10:59, 0..59 each hour
        self.minutes(T0 + timedelta(hours=40), 30, lambda i: 50.0)  # after 37 quiet hours
        now = T0 + timedelta(hours=40, minutes=45)  # that last hour is not complete
        self.assertEqual(rollups_due(now=now), 3)
        hours = list(SampleRollup.objects.order_by("hour"))
        self.assertEqual([h.hour for h in hours], [T0 + timedelta(hours=h) for h in range(3)])
        first = hours[0]
        self.assertEqual(
            (first.count, first.minimum, first.maximum, first.average), (60, 0, 59, 29.5)
        )
        self.assertEqual(rollups_due(now=now), 0)  # nothing done twice
        later = T0 + timedelta(hours=41, minutes=1)
        self.assertEqual(rollups_due(now=later), 1)  # the 48:00 hour, jumping the quiet ones
        self.assertEqual(SampleRollup.objects.count(), 4)

    def test_a_day_long_chart_reads_the_rollups(self):
        self.minutes(T0, 180, lambda i: 20.0 + i / 10)
        now = T0 + timedelta(hours=4)
        rollups_due(now=now)
        series = Series.objects.get()
        (chart,) = asset_charts([series], now, "24h")
        self.assertEqual(len(chart.points.split()), 3)  # three hourly points, not 180
        with time_machine.travel(now, tick=False):
            self.login("staff")
            page = self.client.get(f"/monitoring/assets/{self.asset.pk}/?window=24h")
        self.assertContains(page, "<polyline")

    @override_settings(SAMPLE_RETENTION_DAYS=2, ROLLUP_RETENTION_DAYS=5)
    def test_raw_samples_and_rollups_expire_on_their_own_schedules(self):
        self.minutes(T0, 120, lambda i: 1.0)
        rollups_due(now=T0 + timedelta(hours=3))
        with time_machine.travel(T0 + timedelta(days=3), tick=False):
            Engine().run_cycle()
        self.assertEqual((Sample.objects.count(), SampleRollup.objects.count()), (0, 2))
        with time_machine.travel(T0 + timedelta(days=6), tick=False):
            Engine().run_cycle()
        self.assertEqual(SampleRollup.objects.count(), 0)
