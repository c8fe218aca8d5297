"""Demo intake: the production Alertmanager as an integration paging the operations roster,
with one payload of alerts fed through the same parser and upsert a real payload takes (two
gateways firing, grouped by alert name; one disk alert resolved), and an inhibit rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from yingji.intake import services
from yingji.intake.formats import alertmanager_events
from yingji.intake.models import Integration
from yingji.oncall.demo import load_demo_oncall
from yingji.org.demo import DEMO
from yingji.org.models import Person


def load_demo_intake() -> None:
    if Integration.objects.exists():
        return
    engineer = Person.objects.get(user__username="executor")
    integration, _key = services.integration_create(
        actor=DEMO,
        name="生产 Alertmanager",
        kind="alertmanager",
        responsible=[engineer],
        escalation_policy=load_demo_oncall(),
        group_by=["alertname"],
        group_window_minutes=30,
    )
    services.inhibit_rule_create(
        actor=DEMO,
        source=["alertname=DatacenterDown"],
        target=["severity=~warning|info"],
        equal=["dc"],
        reason="机房整体故障时，不再逐台呼叫主机告警",
    )
    now = timezone.now().replace(microsecond=0)
    firing = _alert(
        "firing",
        "HighLatency",
        "mbank-gw-01:9100",
        "warning",
        "手机银行网关 P99 延迟高于 800ms 已 10 分钟",
        now - timedelta(minutes=12),
    )
    resolved = _alert(
        "resolved",
        "NodeFilesystemAlmostFull",
        "batch-01:9100",
        "critical",
        "批处理服务器 /data 剩余空间低于 5%",
        now - timedelta(hours=2),
    )
    second = _alert(
        "firing",
        "HighLatency",
        "mbank-gw-02:9100",
        "warning",
        "手机银行网关 P99 延迟高于 800ms 已 10 分钟",
        now - timedelta(minutes=11),
    )
    resolved["endsAt"] = (now - timedelta(hours=1)).isoformat()
    # the engine's first cycle pages the on-duty engineer once for both gateways
    for alerts in ([firing, second, {**resolved, "status": "firing"}], [firing, second, resolved]):
        services.alerts_apply(
            integration=integration,
            events=alertmanager_events({"version": "4", "alerts": alerts}),
            now=now,
        )


def _alert(
    status: str, name: str, instance: str, severity: str, summary: str, since: datetime
) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": name, "instance": instance, "severity": severity},
        "annotations": {"summary": summary},
        "startsAt": since.isoformat(),
        "generatorURL": "http://prometheus.internal:9090/alerts",
    }
