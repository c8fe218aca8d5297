"""`yingji agent` on this very machine pushes its real CPU, memory, disk, load and network
figures into a running Yingji (R-MON-1); while Yingji is away it keeps the batches and
sends them, oldest first, when Yingji answers again."""

import subprocess
import sys

from django.test import LiveServerTestCase, TestCase

from yingji.core.actors import SYSTEM
from yingji.engine.loop import Engine
from yingji.monitoring import services
from yingji.monitoring.agent import Agent
from yingji.monitoring.models import Sample, Series
from yingji.monitoring.tests.peers import free_port


class AgentPush(LiveServerTestCase):
    def setUp(self) -> None:
        self.asset = services.asset_create(
            actor=SYSTEM, code="YINGJI-HOST", name="应急平台服务器", kind="server"
        )
        self.token = services.agent_token_issue(actor=SYSTEM, asset=self.asset)

    def test_the_command_pushes_this_machines_figures(self):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "yingji.cli",
                "agent",
                "--url",
                self.live_server_url,
                "--token",
                self.token,
                "--once",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(done.returncode, 0, done.stderr)
        metrics = set(Series.objects.filter(asset=self.asset).values_list("metric", flat=True))
        self.assertTrue(
            {"cpu_percent", "memory_used_percent", "load1", "disk_used_percent"} <= metrics, metrics
        )
        memory = Series.objects.get(asset=self.asset, metric="memory_used_percent").last_value
        assert memory is not None
        self.assertTrue(0 < memory <= 100)

    def test_a_wrong_token_is_refused_and_the_command_says_so(self):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "yingji.cli",
                "agent",
                "--url",
                self.live_server_url,
                "--token",
                "yj_wrong",
                "--once",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(done.returncode, 1)
        self.assertIn("401", done.stderr)
        self.assertFalse(Sample.objects.exists())

    def test_batches_wait_while_yingji_is_away_and_go_in_order_when_it_is_back(self):
        said: list[str] = []
        agent = Agent(url=f"http://127.0.0.1:{free_port()}", token=self.token, say=said.append)
        self.assertFalse(agent.push_once())
        self.assertFalse(agent.push_once())
        self.assertEqual((len(agent.waiting), len(said)), (2, 2))
        agent.url = self.live_server_url
        self.assertTrue(agent.push_once())
        self.assertEqual(len(agent.waiting), 0)
        cpu = Series.objects.get(asset=self.asset, metric="cpu_percent")
        self.assertEqual(Sample.objects.filter(series=cpu).count(), 3)


class SelfMonitoring(TestCase):
    def test_the_engine_reports_its_own_host_and_backlog_as_an_asset(self):
        asset = services.asset_create(actor=SYSTEM, code="YINGJI", name="应急平台", kind="yingji")
        Engine().run_cycle()
        figures = dict(Series.objects.filter(asset=asset).values_list("metric", "last_value"))
        self.assertTrue(
            {
                "cpu_percent",
                "memory_used_percent",
                "yingji_engine_lag_seconds",
                "yingji_checks_overdue",
            }
            <= set(figures),
            figures,
        )
        self.assertEqual(figures["yingji_checks_overdue"], 0)
