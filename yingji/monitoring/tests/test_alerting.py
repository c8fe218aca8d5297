"""R-MON-2 end to end with a controlled clock: an agent pushes CPU samples, the engine
evaluates the rule, the asset's people are told once when it fires, again on the repeat
interval up to the limit unless someone acknowledges, and once when it recovers; a
maintenance window holds notices back; silence from the agent is itself an alert."""

import json
from datetime import UTC, datetime, timedelta

import time_machine

from yingji.core.actors import SYSTEM
from yingji.core.ratelimit import reset_budgets
from yingji.engine.loop import Engine
from yingji.monitoring import services
from yingji.monitoring.choices import AlertKind, AlertStatus
from yingji.monitoring.models import Alert, Sample, Silence
from yingji.notify.models import Message
from yingji.org.testing import CastTestCase

T0 = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


class MonitoringTestCase(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.asset = services.asset_create(
            actor=SYSTEM,
            code="CORE-DB-01",
            name="核心账务数据库",
            kind="server",
            core=True,
            responsible=[self.executor_person],
        )
        self.token = services.agent_token_issue(actor=SYSTEM, asset=self.asset)

    def push(self, samples: list[dict], token: str | None = None):
        return self.client.post(
            "/api/v1/metrics",
            {"samples": samples},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token or self.token}"},
        )

    def cpu(self, value: float, at: datetime) -> dict:
        return {"metric": "cpu_percent", "value": value, "at": at.isoformat()}

    def run_at(self, at: datetime) -> None:
        with time_machine.travel(at, tick=False):
            Engine().run_cycle()

    def notices(self) -> list[str]:
        return list(
            Message.objects.filter(key__startswith="alert:")
            .order_by("pk")
            .values_list("event", flat=True)
        )


class CpuRule(MonitoringTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(time_machine.travel(T0, tick=False))  # the rule is due from T0
        self.rule = services.rule_create(
            actor=SYSTEM,
            name="CPU 持续高于 90%",
            metric="cpu_percent",
            operator=">",
            threshold=90,
            for_seconds=300,
            recover_threshold=80,
            recover_seconds=60,
            severity="major",
            repeat_minutes=10,
            max_sends=3,
            asset=self.asset,
        )

    def breach(self, minutes: int, value: float = 95, start: datetime = T0) -> datetime:
        """Push a sample every 15 s for `minutes` and evaluate every 15 s; the last time."""
        at = start
        for i in range(minutes * 4 + 1):
            at = start + timedelta(seconds=15 * i)
            with time_machine.travel(at, tick=False):
                self.assertEqual(self.push([self.cpu(value, at)]).status_code, 202)
            self.run_at(at)
        return at

    def test_five_minutes_above_ninety_tells_the_responsible_engineer_once(self):
        self.breach(4)
        self.assertEqual(self.notices(), [])  # 4 minutes: not yet
        last = self.breach(2, start=T0 + timedelta(minutes=4, seconds=15))
        alert = Alert.objects.get()
        self.assertEqual((alert.status, alert.value), (AlertStatus.FIRING, 95))
        self.assertEqual(alert.started_at, T0 + timedelta(minutes=5))
        self.assertEqual(self.notices(), ["monitoring.firing"])
        told = Message.objects.get().deliveries.filter(channel=None)
        self.assertEqual([d.person for d in told], [self.executor_person])
        self.assertLessEqual(last - alert.started_at, timedelta(minutes=1, seconds=15))

    def test_repeats_every_ten_minutes_up_to_the_limit(self):
        self.breach(5)
        self.run_at(T0 + timedelta(minutes=14, seconds=59))
        self.assertEqual(self.notices(), ["monitoring.firing"])
        for minutes in (15, 25, 35, 45):
            self.run_at(T0 + timedelta(minutes=minutes))
        self.assertEqual(self.notices(), ["monitoring.firing"] * 3)  # max_sends

    def test_acknowledging_stops_the_repeats(self):
        self.breach(5)
        services.alert_acknowledge(actor=self.executor, alert=Alert.objects.get())
        self.run_at(T0 + timedelta(minutes=30))
        self.assertEqual(self.notices(), ["monitoring.firing"])
        self.assertEqual(Alert.objects.get().acknowledged_by, self.executor)

    def test_recovery_needs_the_value_below_eighty_for_a_minute_then_tells_once(self):
        last = self.breach(5)
        start = last + timedelta(seconds=15)
        self.breach(3, value=85, start=start)  # under 90 but not under 80: still firing
        self.assertEqual(Alert.objects.get().status, AlertStatus.FIRING)
        self.breach(1, value=60, start=start + timedelta(minutes=3, seconds=15))
        alert = Alert.objects.get()
        self.assertEqual(alert.status, AlertStatus.RESOLVED)
        self.assertEqual(self.notices(), ["monitoring.firing", "monitoring.resolved"])

    def test_a_rule_changed_in_place_keeps_its_alert_which_recovers_by_the_new_threshold(self):
        last = self.breach(5)
        services.rule_update(
            actor=SYSTEM, rule=self.rule, threshold=99, recover_threshold=None, recover_seconds=0
        )
        self.assertEqual(Alert.objects.get().status, AlertStatus.FIRING)
        self.breach(0, value=95, start=last + timedelta(seconds=15))  # 95 is fine under 99
        self.assertEqual(Alert.objects.get().status, AlertStatus.RESOLVED)

    def test_a_maintenance_window_holds_the_notice_until_it_ends(self):
        Silence.objects.create(
            asset=self.asset, starts_at=T0, reason="数据库升级", ends_at=T0 + timedelta(minutes=30)
        )
        self.breach(5)
        self.assertEqual(Alert.objects.get().status, AlertStatus.FIRING)
        self.assertEqual(self.notices(), [])
        self.run_at(T0 + timedelta(minutes=29))
        self.assertEqual(self.notices(), [])
        self.run_at(T0 + timedelta(minutes=30))
        self.assertEqual(self.notices(), ["monitoring.firing"])


class NoData(MonitoringTestCase):
    def test_an_agent_that_falls_silent_raises_a_no_data_alert_until_it_reports_again(self):
        with time_machine.travel(T0, tick=False):
            services.rule_create(
                actor=SYSTEM,
                name="代理失联",
                metric="cpu_percent",
                operator=">",
                threshold=90,
                severity="critical",
                no_data_seconds=120,
            )
            self.push([self.cpu(10, T0)])
        self.run_at(T0 + timedelta(seconds=119))
        self.assertFalse(Alert.objects.exists())
        self.run_at(T0 + timedelta(seconds=134))  # the first evaluation after 120 s
        alert = Alert.objects.get()
        self.assertEqual((alert.kind, alert.started_at), (AlertKind.NO_DATA, T0))
        back = T0 + timedelta(minutes=5)
        with time_machine.travel(back, tick=False):
            self.push([self.cpu(12, back)])
        self.run_at(back)
        self.assertEqual(Alert.objects.get().status, AlertStatus.RESOLVED)
        self.assertEqual(self.notices(), ["monitoring.no_data", "monitoring.resolved"])


class PushIntake(MonitoringTestCase):
    def test_a_valid_batch_is_kept_whole_and_a_bad_one_says_which_sample(self):
        with time_machine.travel(T0, tick=False):
            good = [
                {"metric": "disk_used_percent", "labels": {"mount": "/"}, "value": 71.5},
                {"metric": "load1", "value": 3},
            ]
            answer = self.push(good)
            self.assertEqual(answer.status_code, 202, answer.content)
            self.assertEqual(answer.json()["accepted"], 2)
            for batch, words in (
                ([{"metric": "cpu percent", "value": 1}], "Sample 0"),
                ([{"metric": "ok", "value": 1}, {"metric": "x", "value": "high"}], "Sample 1"),
                ([{"metric": "x", "value": float("nan")}], "finite"),
                ([{"metric": "x", "value": 1, "at": "2019-01-01T00:00:00+00:00"}], "too far"),
                ([{"metric": "x", "value": 1, "labels": {"a": 1}}], "labels"),
                ([{"metric": "x", "value": 1, "labels": {"a": "b\x00"}}], "labels"),
                ([], "at least one"),
            ):
                with self.subTest(words=words):
                    answer = self.client.post(
                        "/api/v1/metrics",
                        '{"samples": ' + _json(batch) + "}",
                        content_type="application/json",
                        headers={"Authorization": f"Bearer {self.token}"},
                    )
                    self.assertEqual(answer.status_code, 400)
                    self.assertIn(words, answer.json()["detail"])
            self.assertEqual(self.push(good, token="yj_wrong").status_code, 401)
            auth = {"Authorization": f"Bearer {self.token}"}
            not_json = self.client.post(
                "/api/v1/metrics", "{", content_type="application/json", headers=auth
            )
            self.assertEqual(not_json.status_code, 400)
        self.assertEqual(Sample.objects.count(), 2)  # only the valid batch

    def test_a_sender_over_its_budget_is_told_when_to_come_back_and_others_are_not(self):
        reset_budgets()
        other = services.asset_create(actor=SYSTEM, code="WEB-01", name="网银", kind="server")
        other_token = services.agent_token_issue(actor=SYSTEM, asset=other)
        batch = [{"metric": "load1", "value": 1}]
        with self.settings(YINGJI_METRICS_RATE="3/minute"):
            with time_machine.travel(T0, tick=False):
                self.assertEqual([self.push(batch).status_code for _ in range(3)], [202] * 3)
                refused = self.push(batch)
                self.assertEqual(self.push(batch, token=other_token).status_code, 202)
            self.assertEqual(refused.status_code, 429)
            self.assertEqual(refused["Retry-After"], "60")
            self.assertIn("60", refused.json()["detail"])
            with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
                self.assertEqual(self.push(batch).status_code, 202)
        self.assertEqual(Sample.objects.filter(series__asset=self.asset).count(), 4)
        reset_budgets()

    def test_a_new_token_retires_the_old_one(self):
        old = self.token
        services.agent_token_issue(actor=SYSTEM, asset=self.asset)
        self.assertEqual(self.push([{"metric": "x", "value": 1}], token=old).status_code, 401)


def _json(batch: list) -> str:
    return json.dumps(batch, allow_nan=True)


class LateSamples(MonitoringTestCase):
    """A sample no rule will read is still kept (for the charts), and the sender is told."""

    def test_samples_older_than_what_the_rules_read_are_kept_and_reported(self):
        with time_machine.travel(T0, tick=False):
            fresh = self.push([self.cpu(40, T0 - timedelta(seconds=30))])
            self.assertEqual(fresh.status_code, 202)
            self.assertNotIn("not_evaluated", fresh.json())
            answer = self.push(  # 10 minutes old, and older than the series' newest sample
                [self.cpu(99, T0 - timedelta(minutes=10)), self.cpu(41, T0 - timedelta(seconds=5))]
            )
            self.assertEqual(answer.status_code, 202)
            self.assertEqual(answer.json()["accepted"], 2)
            self.assertEqual(answer.json()["not_evaluated"], 1)
            self.assertIn("raises no alert", answer.json()["detail"])
            new_series = self.push(
                [{"metric": "load1", "value": 3, "at": (T0 - timedelta(minutes=6)).isoformat()}]
            )
            self.assertEqual(new_series.json()["not_evaluated"], 1)  # before the 5-minute window
        self.assertEqual(Sample.objects.count(), 4)  # all kept


class MOfNThroughTheEngine(MonitoringTestCase):
    def test_the_window_carries_over_from_one_evaluation_to_the_next(self):
        with time_machine.travel(T0, tick=False):
            services.rule_create(
                actor=SYSTEM,
                name="2/3",
                metric="cpu_percent",
                operator=">",
                threshold=90,
                severity="minor",
                m=2,
                n=3,
            )
        for i, value in enumerate([95, 50, 95]):  # one sample per evaluation
            at = T0 + timedelta(seconds=15 * i)
            with time_machine.travel(at, tick=False):
                self.push([self.cpu(value, at)])
            self.run_at(at)
            self.assertEqual(Alert.objects.exists(), i == 2)
