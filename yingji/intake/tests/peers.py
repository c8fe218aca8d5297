"""A real Prometheus Alertmanager (Debian's prometheus-alertmanager, which .ci/run installs),
started on a free port with Yingji as its webhook receiver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from yingji.monitoring.tests.peers import free_port

CONFIG = """
route:
  receiver: yingji
  group_by: ['alertname']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: yingji
{receiver}
"""
WEBHOOK = """    webhook_configs:
      - url: {url}
        send_resolved: true
        http_config:
          authorization:
            credentials: {key}"""
PAGERDUTY = """    pagerduty_configs:
      - url: {url}
        routing_key: {key}
        send_resolved: true"""


def binary(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run a real {name}: .ci/run installs {package}")
        pytest.skip(f"{name} is not installed (apt-get install {package})")
    return found


@contextmanager
def alertmanager(tmp: str, *, webhook: str, key: str, receiver: str = WEBHOOK) -> Iterator[str]:
    """Its base URL; alerts posted to {base}/api/v2/alerts reach Yingji after group_wait,
    through its webhook receiver or (`receiver=PAGERDUTY`) its PagerDuty one."""
    program = binary("prometheus-alertmanager", "prometheus-alertmanager")
    config = os.path.join(tmp, "alertmanager.yml")
    with open(config, "w") as out:
        out.write(CONFIG.format(receiver=receiver.format(url=webhook, key=key)))
    port = free_port()
    with _running(
        [
            program,
            f"--config.file={config}",
            f"--storage.path={tmp}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        port,
    ) as base:
        yield base


@contextmanager
def _running(command: list[str], port: int) -> Iterator[str]:
    """A Prometheus-family server on 127.0.0.1:port, until the block ends; its base URL once
    `/-/ready` answers."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(f"{base}/-/ready")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_ready(url: str) -> None:
    for _attempt in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def post_alerts(base: str, alerts: list[dict[str, Any]]) -> None:
    request = urllib.request.Request(
        f"{base}/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=5).close()


PROMETHEUS_CONFIG = """
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [{rules}]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['{alertmanager}']
"""
PROMETHEUS_RULES = """
groups:
  - name: yingji-test
    rules:
      - alert: CoreDatabaseDown
        expr: vector(1)
        for: 2s
        labels:
          severity: critical
          instance: core-db-01
        annotations:
          summary: 核心账务数据库不可达
"""


@contextmanager
def prometheus(tmp: str, *, alertmanager: str) -> Iterator[str]:
    """Debian's Prometheus with one rule that always fires after 2 s, sending to the given
    Alertmanager (host:port): the full Prometheus → Alertmanager → Yingji chain."""
    program = binary("prometheus", "prometheus")
    rules = os.path.join(tmp, "rules.yml")
    with open(rules, "w") as out:
        out.write(PROMETHEUS_RULES)
    config = os.path.join(tmp, "prometheus.yml")
    with open(config, "w") as out:
        out.write(PROMETHEUS_CONFIG.format(rules=rules, alertmanager=alertmanager))
    port = free_port()
    # resent every second: the first notice can go before the Alertmanager is known
    with _running(
        [
            program,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp}/data",
            f"--web.listen-address=127.0.0.1:{port}",
            "--rules.alert.resend-delay=1s",
        ],
        port,
    ) as base:
        yield base
