"""Demo monitoring: the machine Yingji runs on (live, from the engine's self-monitoring pass),
the core accounting database with an hour of history in which its CPU rule fired and
recovered, and mobile banking probed over HTTP (Yingji's own health page stands in)."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from yingji.monitoring import services
from yingji.monitoring.models import Asset
from yingji.monitoring.services.ingest import SampleRow
from yingji.org.demo import DEMO
from yingji.org.models import Department, Person
from yingji.plans.models import Plan

HISTORY = timedelta(hours=1)
SPIKE = (timedelta(minutes=40), timedelta(minutes=31))  # before now: from, until


def load_demo_monitoring() -> None:
    if Asset.objects.filter(code="YINGJI").exists():
        return
    engineer = Person.objects.get(user__username="executor")
    tech = Department.objects.get(code="XXJS")
    services.asset_create(
        actor=DEMO,
        code="YINGJI",
        name="应急平台服务器（本机）",
        kind="yingji",
        owner_department=tech,
        responsible=[engineer],
    )
    database = services.asset_create(
        actor=DEMO,
        code="CORE-DB-01",
        name="核心账务数据库服务器",
        kind="server",
        core=True,
        location="数据中心一号机房 A03 机柜",
        owner_department=tech,
        responsible=[engineer],
        services="核心账务、手机银行、网上银行",
    )
    database.plans.set(Plan.objects.filter(code="YJ-ZX-01"))
    mobile = services.asset_create(
        actor=DEMO,
        code="MBANK",
        name="手机银行",
        kind="system",
        core=True,
        owner_department=tech,
        responsible=[engineer],
    )
    services.check_create(
        actor=DEMO,
        asset=mobile,
        name="登录页",
        kind="http",
        target=f"{settings.BASE_URL.rstrip('/')}/healthz",
        interval_seconds=30,
        config={"body_contains": "ok"},
    )
    cpu = services.rule_create(
        actor=DEMO,
        name="CPU 持续 5 分钟高于 90%",
        metric="cpu_percent",
        operator=">",
        threshold=90,
        for_seconds=300,
        recover_threshold=80,
        recover_seconds=60,
        severity="major",
        repeat_minutes=30,
        max_sends=3,
    )
    services.rule_create(
        actor=DEMO,
        name="服务探测失败",
        metric="probe_success",
        operator="==",
        threshold=0,
        for_seconds=60,
        severity="critical",
        repeat_minutes=15,
    )
    services.rule_create(
        actor=DEMO,
        name="磁盘使用率高于 85%",
        metric="disk_used_percent",
        operator=">",
        threshold=85,
        for_seconds=600,
        severity="warning",
    )
    _history(database, cpu)


def _history(asset: Asset, rule: object) -> None:
    """An hour of CPU every 15 s with a 9-minute spike, evaluated as the engine would have."""
    now = timezone.now().replace(microsecond=0)
    start = now - HISTORY
    rows = []
    for i in range(int(HISTORY.total_seconds() // 15) + 1):
        at = start + timedelta(seconds=15 * i)
        spiking = now - SPIKE[0] <= at < now - SPIKE[1]
        value = 96 + 2 * math.sin(i) if spiking else 35 + 10 * math.sin(i / 7)
        rows.append(SampleRow("cpu_percent", "", (), at, round(value, 1)))
    services.samples_ingest(asset=asset, rows=rows)
    for minutes in range(0, 61, 5):
        services.rule_evaluate(rule=rule, now=start + timedelta(minutes=minutes))  # type: ignore[arg-type]
