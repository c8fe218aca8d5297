"""R-MON-1: the engine's checks against real local targets. A target that is down, wrong or
slow is a recorded failure with its reason, never an error out of the engine."""

import socket
import tempfile
import time

from django.utils import timezone

from yingji.core.actors import SYSTEM
from yingji.core.errors import DomainError
from yingji.engine.loop import Engine
from yingji.monitoring import services
from yingji.monitoring.models import Check, Series
from yingji.monitoring.tests.peers import (
    SNMP_V3_USERS,
    free_port,
    node_exporter,
    snmp_agent,
    web_site,
)
from yingji.org.testing import CastTestCase


class Checks(CastTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.asset = services.asset_create(
            actor=SYSTEM, code="WEB-01", name="手机银行", kind="system", core=True
        )

    def check(self, name: str, kind: str, target: str, **fields) -> Check:
        return services.check_create(
            actor=SYSTEM, asset=self.asset, name=name, kind=kind, target=target, **fields
        )

    def value(self, metric: str, check: str, **labels: str) -> float | None:
        wanted = {**labels, "check": check}
        for series in Series.objects.filter(asset=self.asset, metric=metric):
            if series.labels == wanted:
                return series.last_value
        return None

    def test_http_status_body_and_latency_and_failures_with_their_reasons(self):
        with web_site() as site:
            self.check("健康检查", "http", f"{site}/health", config={"body_contains": "OK"})
            self.check("维护页", "http", f"{site}/down")
            self.check("内容不符", "http", f"{site}/health", config={"body_contains": "交易"})
            self.check("慢接口", "http", f"{site}/slow", timeout_seconds=1)
            Engine().run_cycle()
        results = {c.name: (c.last_ok, c.last_error) for c in Check.objects.all()}
        self.assertEqual(results["健康检查"], (True, ""))
        self.assertEqual(results["维护页"], (False, "HTTP 503, expected 200"))
        self.assertIn("交易", results["内容不符"][1])
        self.assertFalse(results["慢接口"][0])
        self.assertIn("timed out", results["慢接口"][1].lower())
        self.assertEqual(self.value("probe_success", "健康检查"), 1)
        self.assertEqual(self.value("probe_http_status_code", "维护页"), 503)
        self.assertEqual(self.value("probe_success", "慢接口"), 0)
        duration = self.value("probe_duration_seconds", "健康检查")
        assert duration is not None
        self.assertLess(duration, 1)
        ran = Check.objects.get(name="健康检查")
        assert ran.last_run_at is not None
        self.assertGreater(ran.next_run_at, ran.last_run_at)

    def test_tcp_connect_to_a_listener_and_to_a_closed_port(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = listener.getsockname()[1]
            self.check("数据库端口", "tcp", f"127.0.0.1:{port}")
            self.check("已关闭端口", "tcp", f"127.0.0.1:{free_port()}", timeout_seconds=2)
            Engine().run_cycle()
        self.assertEqual(self.value("probe_success", "数据库端口"), 1)
        closed = Check.objects.get(name="已关闭端口")
        self.assertEqual((closed.last_ok, self.value("probe_success", "已关闭端口")), (False, 0))
        self.assertIn("refused", closed.last_error.lower())

    def test_a_real_node_exporter_is_scraped_for_the_chosen_metrics(self):
        with node_exporter() as url:
            self.check(
                "node",
                "prometheus",
                url,
                config={"metrics": ["node_load1", "node_cpu_seconds_total"]},
            )
            Engine().run_cycle()
        check = Check.objects.get()
        self.assertEqual((check.last_ok, check.last_error), (True, ""))
        metrics = set(Series.objects.values_list("metric", flat=True))
        self.assertTrue({"node_load1", "node_cpu_seconds_total", "probe_success"} <= metrics)
        self.assertNotIn("node_memory_MemTotal_bytes", metrics)
        idle = self.value("node_cpu_seconds_total", "node", cpu="0", mode="idle")
        assert idle is not None
        self.assertGreater(idle, 0)

    def test_a_real_snmp_agent_is_polled_for_uptime_interfaces_and_traffic_rates(self):
        with tempfile.TemporaryDirectory() as tmp, snmp_agent(tmp) as target:
            check = self.check("核心交换机", "snmp", target, timeout_seconds=2)
            for _attempt in range(20):  # snmpd binds its port a moment after it starts
                Engine().run_cycle()
                check.refresh_from_db()
                if check.last_ok:
                    break
                Check.objects.filter(pk=check.pk).update(next_run_at=timezone.now())
                time.sleep(0.25)
            self.assertEqual((check.last_ok, check.last_error), (True, ""))
            time.sleep(1)
            Check.objects.filter(pk=check.pk).update(next_run_at=timezone.now())
            Engine().run_cycle()
        uptime = self.value("snmp_uptime_seconds", "核心交换机")
        assert uptime is not None
        self.assertGreaterEqual(uptime, 0)
        self.assertEqual(self.value("snmp_if_up", "核心交换机", interface="lo"), 1)
        counter = self.value("snmp_if_in_octets_total", "核心交换机", interface="lo")
        assert counter is not None
        self.assertGreater(counter, 0)
        # snmpd caches its interface table for a few seconds, so a second poll 1 s later may
        # see the same counter: the rate exists and is 0 or more, never negative
        rate = self.value("snmp_if_in_bytes_per_second", "核心交换机", interface="lo")
        assert rate is not None
        self.assertGreaterEqual(rate, 0)

    def poll_until_answered(self, check: Check) -> Check:
        for _attempt in range(20):  # snmpd binds its port a moment after it starts
            Engine().run_cycle()
            check.refresh_from_db()
            if check.last_ok or "USM" in check.last_error or "digest" in check.last_error:
                return check
            Check.objects.filter(pk=check.pk).update(next_run_at=timezone.now())
            time.sleep(0.25)
        return check

    def test_snmp_v3_users_with_authentication_and_privacy_and_wrong_keys_refused(self):
        with tempfile.TemporaryDirectory() as tmp, snmp_agent(tmp) as target:
            sha_aes = self.check(
                "v3 SHA/AES", "snmp", target, timeout_seconds=2, config=SNMP_V3_USERS[0]
            )
            sha256_aes256 = self.check(
                "v3 SHA-256/AES-256", "snmp", target, timeout_seconds=2, config=SNMP_V3_USERS[1]
            )
            wrong = self.check(
                "v3 wrong key",
                "snmp",
                target,
                timeout_seconds=2,
                config={**SNMP_V3_USERS[0], "auth_key": "not-the-key"},
            )
            unknown = self.check(
                "v3 unknown user",
                "snmp",
                target,
                timeout_seconds=2,
                config={**SNMP_V3_USERS[0], "user": "intruder"},
            )
            for check in (sha_aes, sha256_aes256, wrong, unknown):
                self.poll_until_answered(check)
        self.assertEqual((sha_aes.last_ok, sha_aes.last_error), (True, ""))
        self.assertEqual((sha256_aes256.last_ok, sha256_aes256.last_error), (True, ""))
        self.assertEqual(self.value("snmp_if_up", "v3 SHA/AES", interface="lo"), 1)
        self.assertEqual((wrong.last_ok, wrong.last_error), (False, "SNMP: Wrong SNMP PDU digest"))
        self.assertEqual((unknown.last_ok, unknown.last_error), (False, "SNMP: Unknown USM user"))

    def test_ping_measures_round_trip_and_loss(self):
        self.check("网关", "ping", "127.0.0.1", timeout_seconds=2)
        Engine().run_cycle()
        check = Check.objects.get()
        self.assertEqual((check.last_ok, check.last_error), (True, ""))
        self.assertEqual(self.value("probe_icmp_packet_loss_ratio", "网关"), 0)
        rtt = self.value("probe_icmp_rtt_seconds", "网关")
        assert rtt is not None
        self.assertLess(rtt, 0.5)

    def test_bad_check_definitions_are_refused_with_the_field(self):
        for kind, target, fields, field in (
            ("http", "ftp://x", {}, "target"),
            ("tcp", "db.internal", {}, "target"),
            ("tcp", "db:99999", {}, "target"),
            ("http", "http://x", {"interval_seconds": 5}, "interval_seconds"),
            ("http", "http://x", {"config": {"expect_status": 42}}, "config"),
            ("ping", "bad host!", {}, "target"),
            ("ping", "10.0.0.1", {"config": {"count": 99}}, "config"),
            ("whois", "x", {}, "kind"),
        ):
            with self.subTest(target=target), self.assertRaises(DomainError) as caught:
                self.check("x", kind, target, **fields)
            self.assertEqual(caught.exception.field, field)
        self.assertFalse(Check.objects.exists())
