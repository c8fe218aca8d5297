"""After-phase benchmark: opening the after-phase (recovery plans, rebuild, the pre-filled
summary, the review) of a long response, its summary as .docx, and the improvement register
at 1,000 measures, each against a reference on the same machine.

    .venv/bin/python bench/bench_recovery.py         # embedded SQLite in a temporary data dir
    YINGJI_DATABASE_URL=postgres://... YINGJI_SECRET_KEY=x .venv/bin/python bench/bench_recovery.py

References: the same work for the demo's switch failure (a short response) and the demo's
register (5 measures). There is no target in the issue; the register must stay O(page) (ratio
near 1.0), and opening a long response's after-phase must stay well under a second, since the
end order waits for it.
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
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from yingji.core.actors import SYSTEM  # noqa: E402
from yingji.incidents import ended as ended_hooks  # noqa: E402
from yingji.incidents import services as incidents  # noqa: E402
from yingji.incidents.models import Incident  # noqa: E402
from yingji.org.models import Person  # noqa: E402
from yingji.recovery.documents import summary_docx  # noqa: E402
from yingji.recovery.models import (  # noqa: E402
    AfterPhase,
    Measure,
    RebuildItem,
    RecoveryPlan,
    Review,
    SummaryReport,
)
from yingji.recovery.services import measures, opening  # noqa: E402

TASKS = 200
REPORTS = 100
MEASURES = 1000


class Undo(Exception):
    """Raised to roll back a timed opening, so it can be timed again."""


def median_s(action: Callable[[], object], repeat: int = 3) -> float:
    action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def opened_and_undone(incident: Incident) -> Callable[[], None]:
    def run() -> None:
        try:
            with transaction.atomic():
                for model in (AfterPhase, RecoveryPlan, RebuildItem, SummaryReport, Review):
                    model.objects.filter(incident=incident).delete()
                opening.after_phase_open(incident=incident)
                raise Undo
        except Undo:
            pass

    return run


def long_response() -> Incident:
    users = get_user_model().objects.in_bulk(
        ["staff", "head", "leader", "expert"], field_name="username"
    )
    now = timezone.now()
    incident = incidents.incident_report(
        actor=users["staff"],
        title="压测：长时间响应",
        category="information_system",
        occurred_at=now - timedelta(hours=30),
        symptoms="批量失败",
        severity="II",
    )
    incidents.incident_escalate(actor=users["head"], incident=incident)
    incidents.incident_decide(
        actor=users["leader"],
        incident=incident,
        decision="activate",
        meeting_at=now,
        response_level="2",
        grade="II",
        minutes="启动",
        plans="信息系统专项应急预案",
        assemble_at=now + timedelta(minutes=10),
        assemble_place="指挥室",
    )
    incident = Incident.objects.get(pk=incident.pk)
    owner = Person.objects.get(employee_no="E0006")
    tasks = [
        incidents.task_create(
            actor=users["expert"], incident=incident, title=f"任务 {n}", assignee=owner
        )
        for n in range(TASKS)
    ]
    for n in range(REPORTS):
        incidents.progress_report(
            actor=users["expert"], incident=incident, done=f"第 {n} 次进展", current="处理中"
        )
    incident = Incident.objects.get(pk=incident.pk)
    incidents.incident_recommend_end(
        actor=users["expert"],
        incident=incident,
        performance_normal=True,
        business_stable=True,
        residual_risks="遗留风险一\n遗留风险二",
        task_outcomes={
            t.pk: ("carried_over" if n % 4 == 0 else "done", "待重建") for n, t in enumerate(tasks)
        },
    )
    incident = Incident.objects.get(pk=incident.pk)
    listeners = list(ended_hooks.ON_ENDED)
    ended_hooks.ON_ENDED.clear()
    try:
        incidents.incident_end(actor=users["leader"], incident=incident, all_staff=False)
    finally:
        ended_hooks.ON_ENDED[:] = listeners
    return Incident.objects.get(pk=incident.pk)


def main() -> None:
    call_command("migrate", "--noinput", "-v", "0")
    if not Measure.objects.exists():
        call_command("demo", "-v", "0", stdout=io.StringIO())
    short = Incident.objects.get(title="核心交换机板卡故障导致网银交易失败")
    reference = median_s(opened_and_undone(short))
    start = time.perf_counter()
    long = long_response()
    print(
        f"made a response of {long.timeline.count()} timeline entries, {TASKS} tasks and "
        f"{REPORTS} reports in {time.perf_counter() - start:.1f} s"
    )
    opened = median_s(opened_and_undone(long))
    print(
        f"reference: open the after-phase of a {short.timeline.count()}-entry response  "
        f"{reference * 1000:.0f} ms"
    )
    print(
        f"open the after-phase of the long response            {opened * 1000:.0f} ms "
        f"(ratio {opened / reference:.1f})"
    )
    opening.after_phase_open(incident=long)
    small_docx = median_s(lambda: summary_docx(short.summary_report).content())
    big_docx = median_s(
        lambda: summary_docx(Incident.objects.get(pk=long.pk).summary_report).content()
    )
    print(
        f"summary .docx: {small_docx * 1000:.0f} ms (short) -> {big_docx * 1000:.0f} ms (long), "
        f"ratio {big_docx / small_docx:.1f}"
    )
    client = Client()
    client.force_login(get_user_model().objects.get(username="office"))
    few = median_s(lambda: client.get("/improvements/"), 5)
    owner = Person.objects.get(employee_no="E0006")
    today = timezone.localdate()
    for n in range(MEASURES):
        measures.measure_create(
            actor=SYSTEM,
            title=f"压测措施 {n}",
            source="audit",
            change="process",
            owner=owner,
            due=today + timedelta(days=n % 300),
        )
    many = median_s(lambda: client.get("/improvements/"), 5)
    print(
        f"register page: {few * 1000:.1f} ms (5 measures) -> {many * 1000:.1f} ms "
        f"({MEASURES + 5} measures, 50 a page), ratio {many / few:.2f}"
    )


if __name__ == "__main__":
    main()
