"""Risk-assessment benchmark: the quarterly report for 500 risks, against a reference run on
the same machine.

    .venv/bin/python bench/bench_risks.py            # embedded SQLite in a temporary data dir
    YINGJI_DATABASE_URL=postgres://... YINGJI_SECRET_KEY=x .venv/bin/python bench/bench_risks.py

Reference: the same report for the demo's 5-risk assessment. Target (issue 18): the Word
report of an assessment with 500 risks is built in at most 10 s; the register page and its
API list cost the same at 500 risks as at 5 (ratio near 1.0: they are O(page)).
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta

os.environ.setdefault("YINGJI_DATA_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
os.environ.setdefault("YINGJI_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from yingji.core.actors import SYSTEM  # noqa: E402
from yingji.org.models import Department, Person  # noqa: E402
from yingji.risks import services  # noqa: E402
from yingji.risks.models import Assessment  # noqa: E402
from yingji.risks.report import assessment_docx  # noqa: E402

RISKS = 500
FAMILIES = ("ageing", "vulnerability", "disaster", "vendor", "capacity", "people", "other")


def median_s(action: Callable[[], object], repeat: int = 3) -> float:
    action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def big_assessment() -> Assessment:
    department = Department.objects.get(code="YFZX")
    today = timezone.localdate()
    campaign = services.campaign_open(
        actor=SYSTEM, year=today.year + 1, quarter=1, reason="压测", departments=[department]
    )
    assessment = campaign.assessments.get()
    owner = Person.objects.get(employee_no="E0004")
    for n in range(RISKS):
        likelihood, impact = n % 5 + 1, (n // 5) % 5 + 1
        services.risk_add(
            actor=SYSTEM,
            assessment=assessment,
            title=f"压测风险 {n}",
            family=FAMILIES[n % 7],
            description="设备老化与补丁滞后。" * 3,
            existing_measures="巡检；监控。",
            inherent_likelihood=likelihood,
            inherent_impact=impact,
            current_likelihood=likelihood,
            current_impact=impact,
            residual_likelihood=max(likelihood - 1, 1),
            residual_impact=impact,
            treatment="mitigate",
            treatment_plan="更换与加固。",
            owner=owner,
            treatment_due=today + timedelta(days=30),
        )
    return assessment


def main() -> None:
    call_command("migrate", "--noinput", "-v", "0")
    if not Assessment.objects.exists():
        call_command("demo", "-v", "0", stdout=io.StringIO())
    small = Assessment.objects.filter(project__isnull=True).order_by("-year", "-quarter").first()
    assert small is not None
    reference = median_s(lambda: assessment_docx(small))
    start = time.perf_counter()
    big = big_assessment()
    print(f"made {RISKS} risks through the services in {time.perf_counter() - start:.1f} s")
    report = median_s(lambda: assessment_docx(big))
    size = len(assessment_docx(big))
    print(f"reference: report of {small.risks.count()} risks  {reference:.2f} s")
    print(
        f"report of {RISKS} risks                {report:.2f} s  ({size // 1024} KiB, "
        f"ratio {report / reference:.1f}, target <= 10 s)"
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username="office"))
    register = median_s(lambda: client.get(f"/risks/?quarter={big.year}-{big.quarter}"), 5)
    few = median_s(lambda: client.get(f"/risks/?quarter={small.year}-{small.quarter}"), 5)
    print(
        f"register page: {few * 1000:.1f} ms (5 risks) -> {register * 1000:.1f} ms "
        f"({RISKS} risks), ratio {register / few:.2f}"
    )


if __name__ == "__main__":
    main()
