"""Incident benchmarks: figures and ratios against a reference run on the same machine.

    .venv/bin/python bench/bench_incidents.py            # embedded SQLite, temporary data dir
    YINGJI_DATABASE_URL=postgres://... YINGJI_SECRET_KEY=x .venv/bin/python bench/bench_incidents.py

BENCH_INCIDENTS (100000) and BENCH_ENTRIES (10 per incident) size the history; BENCH_ACTORS
(200) people act on one incident at once.

Targets (issue 4): with 100,000 incidents and 1,000,000 timeline entries the incident list
and the command page answer in <= 100 ms at the 95th percentile, with the same number of
queries as with 1,000 incidents; 200 people acting on one incident at once lose no update.
Reference: GET /healthz in the same run.
"""

from __future__ import annotations

import contextlib
import io
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

os.environ.setdefault("YINGJI_DATA_DIR", tempfile.mkdtemp(prefix="yingji-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
os.environ.setdefault("YINGJI_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from yingji.core.actors import SYSTEM  # noqa: E402
from yingji.core.errors import DomainError  # noqa: E402
from yingji.incidents import services  # noqa: E402
from yingji.incidents.models import Incident, Participant, Task, TimelineEntry  # noqa: E402
from yingji.notify.models import Delivery  # noqa: E402
from yingji.notify.services import delivery_confirm  # noqa: E402
from yingji.org import services as org_services  # noqa: E402
from yingji.org.choices import GroupKind  # noqa: E402
from yingji.org.models import EmergencyGroup, Person  # noqa: E402

INCIDENTS = int(os.environ.get("BENCH_INCIDENTS", "100000"))
ENTRIES = int(os.environ.get("BENCH_ENTRIES", "10"))
ACTORS = int(os.environ.get("BENCH_ACTORS", "200"))
ITEMS = 50
BATCH = 5000


def p95_ms(action: Callable[[], object], repeat: int = 40) -> float:
    action()  # warm caches and connections
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.quantiles(samples, n=20)[-1]


def grow_to(total: int) -> None:
    """Incidents with ENTRIES timeline entries each, written in bulk (a benchmark's history,
    not a response: the services are measured below, on one incident)."""
    staff = Person.objects.get(user__username="staff")
    now = timezone.now()
    while (count := Incident.objects.count()) < total:
        size = min(BATCH, total - count)
        rows = [
            Incident(
                title=f"压测事件 {count + n}",
                category="information_system",
                status="closed",
                occurred_at=now - timedelta(minutes=count + n),
                symptoms="压测",
                reporter=staff,
                department=staff.department,
                reported_at=now - timedelta(minutes=count + n),
                closed_at=now,
                confidential=(count + n) % 50 == 0,
                exercise=(count + n) % 7 == 0,
            )
            for n in range(size)
        ]
        created = Incident.objects.bulk_create(rows, batch_size=1000)
        if created[0].pk is None:  # SQLite before 3.35 returns no ids
            created = list(Incident.objects.order_by("-pk")[:size])
        entries = [
            TimelineEntry(incident=incident, action="note", text=f"第 {k} 条记录")
            for incident in created
            for k in range(ENTRIES)
        ]
        TimelineEntry.objects.bulk_create(entries, batch_size=5000)
        Participant.objects.bulk_create(
            [Participant(incident=i, person=staff, role="reporter") for i in created],
            batch_size=5000,
            ignore_conflicts=True,
        )


def count_queries(client: Client, url: str) -> int:
    seen: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.get(url)
    return len(seen)


def page_figures(clients: dict[str, Client], live_pk: int) -> dict[str, tuple[float, int]]:
    urls = {
        "list (leader)": ("leader", "/incidents/"),
        "list (expert)": ("expert", "/incidents/"),
        "list (staff, participant)": ("staff", "/incidents/"),
        "list filtered (leader)": ("leader", "/incidents/?grade=II&exercise=no"),
        "command page (expert)": ("expert", f"/incidents/{live_pk}/"),
        "command live part (leader)": ("leader", f"/incidents/{live_pk}/live/"),
        "API list (leader)": ("leader", "/api/v1/incidents/"),
    }
    figures = {}
    for name, (who, url) in urls.items():
        client = clients[who]
        assert client.get(url).status_code == 200, url
        figures[name] = (p95_ms(lambda c=client, u=url: c.get(u)), count_queries(client, url))
    return figures


def live_incident() -> Incident:
    users = get_user_model().objects.in_bulk(
        ["staff", "head", "leader", "expert"], field_name="username"
    )
    incident = services.incident_report(
        actor=users["staff"],
        title="压测：核心系统故障",
        category="information_system",
        occurred_at=timezone.now(),
        symptoms="压测",
    )
    incident = services.incident_escalate(actor=users["head"], incident=incident)
    services.incident_decide(
        actor=users["leader"],
        incident=incident,
        decision="activate",
        meeting_at=timezone.now(),
        plans="预案",
        response_level="1",
        assemble_at=timezone.now(),
        assemble_place="指挥室",
    )
    return Incident.objects.get(pk=incident.pk)


def two_hundred_at_once(incident: Incident) -> dict[str, float]:
    """ACTORS people confirm, tick their own item of one shared checklist (retrying when
    someone else changed it first) and report progress, all at the same time."""
    expert = get_user_model().objects.get(username="expert")
    people = []
    for n in range(ACTORS):
        username = f"actor{n}"
        existing = Person.objects.filter(user__username=username).first()
        people.append(
            existing
            or org_services.person_create(
                actor=SYSTEM,
                username=username,
                password="x" * 12,
                employee_no=f"A{n:05d}",
                full_name=f"处置人员{n}",
                department=expert.person.department,
            )
        )
    # The crowd is the expert group (who may all work on one task) of a large organisation.
    expert_group = EmergencyGroup.objects.get(kind=GroupKind.EXPERT)
    for person in people:
        if not person.memberships.filter(group=expert_group).exists():
            org_services.membership_add(actor=SYSTEM, group=expert_group, person=person)
        services.participant_add(actor=expert, incident=incident, person=person)
    # Shared checklists of 50 items (the most a task has): 50 people tick each one at once.
    tasks = [
        services.task_create(
            actor=expert,
            incident=incident,
            title=f"共同检查清单 {t}",
            checklist=[f"第 {n} 项" for n in range(ITEMS)],
        )
        for t in range((ACTORS + ITEMS - 1) // ITEMS)
    ]
    retries = 0
    lock = threading.Lock()
    start_line = threading.Barrier(min(ACTORS, 32))

    def act(n: int) -> None:
        nonlocal retries
        person = people[n]
        with contextlib.suppress(threading.BrokenBarrierError):
            start_line.wait(timeout=5)
        token = (
            Delivery.objects.filter(
                person=person,
                channel=None,
                message__key__startswith=f"incident:{incident.pk}:incident.participant_added",
            )
            .values_list("receipt_token", flat=True)
            .first()
        )
        delivery_confirm(token=token)
        task, item = tasks[n // ITEMS], n % ITEMS
        while True:
            current = Task.objects.select_related("incident").get(pk=task.pk)
            done = [i for i, entry in enumerate(current.checklist) if entry["done"]]
            try:
                services.task_update(
                    actor=person.user,
                    task=current,
                    revision=current.revision,
                    checked=sorted({*done, item}),
                )
                break
            except DomainError as exc:
                if exc.code != "conflict":
                    raise
                with lock:
                    retries += 1
        services.progress_report(actor=person.user, incident=incident, done=f"第 {n} 项完成")
        connections.close_all()

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(act, range(ACTORS)))
    seconds = time.perf_counter() - began
    fresh = Task.objects.filter(pk__in=[t.pk for t in tasks])
    ticked = sum(1 for t in fresh for item in t.checklist if item["done"])
    revisions = sum(t.revision for t in fresh)
    confirmed = Delivery.objects.filter(
        person__in=people,
        channel=None,
        confirmed_at__isnull=False,
        message__key__startswith=f"incident:{incident.pk}:incident.participant_added",
    ).count()
    reports = incident.progress.filter(author__person__in=people).count()
    assert (ticked, revisions, confirmed, reports) == (ACTORS, ACTORS, ACTORS, ACTORS), (
        ticked,
        revisions,
        confirmed,
        reports,
    )
    return {"seconds": seconds, "retries": retries, "ticked": ticked, "reports": reports}


def main() -> None:
    call_command("migrate", "--noinput", "-v", "0")
    if not Person.objects.filter(user__username="leader").exists():
        call_command("demo", "-v", "0", stdout=io.StringIO())
    clients = {}
    for who in ("leader", "expert", "staff"):
        clients[who] = Client()
        clients[who].force_login(get_user_model().objects.get(username=who))
    live = live_incident()
    reference = p95_ms(lambda: clients["leader"].get("/healthz"))
    grow_to(1000)
    small = page_figures(clients, live.pk)
    began = time.perf_counter()
    grow_to(INCIDENTS)
    seeded = time.perf_counter() - began
    large = page_figures(clients, live.pk)
    reset_queries()
    crowd = two_hundred_at_once(live)
    entries = TimelineEntry.objects.count()
    print(
        f"database: {connection.vendor}; incidents: {Incident.objects.count():,}; "
        f"timeline entries: {entries:,} (seeded in {seeded:.0f} s)"
    )
    print(f"reference GET /healthz p95: {reference:.2f} ms")
    for name in small:
        (ms1, q1), (ms2, q2) = small[name], large[name]
        print(
            f"{name:28s} p95 1k: {ms1:7.2f} ms  {INCIDENTS // 1000}k: {ms2:7.2f} ms  "
            f"ratio {ms2 / ms1:.2f}  queries {q1} → {q2}"
        )
    print(
        f"{ACTORS} people on one incident at once: {crowd['seconds']:.2f} s, "
        f"{crowd['retries']} compare-and-swap retries, {crowd['ticked']} items ticked, "
        f"{crowd['reports']} progress reports, no update lost"
    )


if __name__ == "__main__":
    main()
