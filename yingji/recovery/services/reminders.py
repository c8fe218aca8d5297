"""The after-phase on the clock: owners are reminded before their due time, chased once a week
after it (the office too), and on the first of each month the leadership group gets the digest
of the register's overdue measures (R-REV-2). Each notice has its own key, so the hourly
pass sends it once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from yingji.notify.models import Message
from yingji.notify.services import notify
from yingji.org.choices import GroupKind
from yingji.org.models import Person
from yingji.org.queries import group_members
from yingji.recovery.choices import (
    MEASURE_OPEN,
    STEP_OPEN,
    MeasureStatus,
    PlanStatus,
    RebuildStatus,
    ReportStatus,
    ReviewStatus,
)
from yingji.recovery.models import (
    Measure,
    RebuildItem,
    RecoveryPlan,
    RecoveryStep,
    Review,
    SummaryReport,
)
from yingji.recovery.services.common import recovery_settings

BATCH = 200  # notices per kind per pass
SCAN = 5000  # open rows looked at per kind: the keys already sent are read in one query
CHASE_EVERY = 7  # days between overdue notices
DIGEST_LATE = 30  # days: "overdue by more than 30 days" in the monthly digest


@dataclass(frozen=True)
class Deadline:
    kind: str  # the notice's word for the thing
    rows: Callable[[], QuerySet[Any]]  # open rows, with their owners
    due: Callable[[Any], datetime | date]
    owner: Callable[[Any], Person | None]
    incident: Callable[[Any], Any]
    label: Callable[[Any], str]
    link: Callable[[Any], str]


def _incident_link(incident_id: int) -> str:
    return f"/recovery/incidents/{incident_id}/"


DEADLINES = (
    Deadline(
        "plan",
        lambda: RecoveryPlan.objects.filter(status=PlanStatus.DRAFT).select_related(
            "owner", "incident", "department"
        ),
        lambda p: p.due_at,
        lambda p: p.owner,
        lambda p: p.incident,
        lambda p: p.department.name,
        lambda p: f"/recovery/plans/{p.pk}/",
    ),
    Deadline(
        "step",
        lambda: RecoveryStep.objects.filter(
            status__in=STEP_OPEN, plan__status=PlanStatus.APPROVED
        ).select_related("owner", "plan__incident"),
        lambda s: s.due_at,
        lambda s: s.owner,
        lambda s: s.plan.incident,
        lambda s: s.description,
        lambda s: f"/recovery/plans/{s.plan_id}/",
    ),
    Deadline(
        "rebuild",
        lambda: RebuildItem.objects.filter(status=RebuildStatus.OPEN).select_related(
            "owner", "incident"
        ),
        lambda i: i.due_at,
        lambda i: i.owner,
        lambda i: i.incident,
        lambda i: i.target,
        lambda i: _incident_link(i.incident_id) + "#rebuild",
    ),
    Deadline(
        "summary",
        lambda: SummaryReport.objects.filter(
            status__in=[ReportStatus.DRAFT, ReportStatus.IN_REVIEW]
        ).select_related("owner", "incident"),
        lambda r: r.due_at,
        lambda r: r.owner,
        lambda r: r.incident,
        lambda r: "",
        lambda r: f"/recovery/summaries/{r.pk}/",
    ),
    Deadline(
        "review",
        lambda: Review.objects.exclude(status=ReviewStatus.HELD).select_related(
            "owner", "incident"
        ),
        lambda r: r.due_at,
        lambda r: r.owner,
        lambda r: r.incident,
        lambda r: "",
        lambda r: _incident_link(r.incident_id) + "#review",
    ),
    Deadline(
        "measure",
        lambda: Measure.objects.filter(status__in=MEASURE_OPEN).select_related("owner", "incident"),
        lambda m: m.due,
        lambda m: m.owner,
        lambda m: m.incident,
        lambda m: m.title,
        lambda m: f"/improvements/{m.pk}/",
    ),
)


def _day(value: datetime | date) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


def remind(now: datetime) -> int:
    """Every open thing due within the reminder window or overdue: one notice per stage."""
    settings = recovery_settings()
    today = timezone.localdate(now)
    horizon = today + timedelta(days=settings.remind_days)
    office = list(group_members(GroupKind.OFFICE))
    sent = 0
    for deadline in DEADLINES:
        sent += _remind(deadline, today, horizon, office)
    return sent


def _window(deadline: Deadline, rows: QuerySet[Any], horizon: date) -> QuerySet[Any]:
    field = "due" if deadline.kind == "measure" else "due_at"
    if field == "due":
        return rows.filter(due__lte=horizon).order_by("due", "pk")
    end = timezone.make_aware(datetime.combine(horizon + timedelta(days=1), datetime.min.time()))
    return rows.filter(due_at__lt=end).order_by("due_at", "pk")


def _remind(deadline: Deadline, today: date, horizon: date, office: list[Person]) -> int:
    rows = list(_window(deadline, deadline.rows(), horizon)[:SCAN])
    staged = []
    for row in rows:
        due = _day(deadline.due(row))
        late_days = (today - due).days
        stage = "soon" if late_days <= 0 else f"late{(late_days - 1) // CHASE_EVERY}"
        key = f"recovery:{deadline.kind}:{row.pk}:{due.isoformat()}:{stage}"  # day 1, 8, 15...
        staged.append((row, due, late_days, key))
    sent_before = set(
        Message.objects.filter(key__in=[key for *_r, key in staged]).values_list("key", flat=True)
    )
    sent = 0
    for row, due, late_days, key in staged:
        if key in sent_before or sent >= BATCH:
            continue
        owner = deadline.owner(row)
        people = {owner} if owner else set()
        if late_days > 0:
            people |= set(office)  # the office chases what is late (R-REV-2)
        if not people:
            continue
        incident = deadline.incident(row)
        with transaction.atomic():
            notify(
                event="recovery.late" if late_days > 0 else "recovery.due_soon",
                context={
                    "kind": deadline.kind,
                    "incident": incident.pk if incident else "",
                    "what": "" if incident and incident.confidential else deadline.label(row),
                    "due": due.isoformat(),
                    "days": max(late_days, 0),
                },
                recipients=sorted(people, key=lambda p: p.pk),
                link=deadline.link(row),
                key=key,
            )
        sent += 1
    return sent


def digest(now: datetime) -> int:
    """On the first of the month, the leadership group hears what is overdue in the register
    (R-REV-2: measures tracked to done); once a month, and only when something is."""
    today = timezone.localdate(now)
    if today.day != 1:
        return 0
    key = f"recovery:digest:{today:%Y-%m}"
    if Message.objects.filter(key=key).exists():
        return 0
    overdue = Measure.objects.filter(status__in=MEASURE_OPEN, due__lt=today)
    if not overdue.exists():
        return 0
    counts = overdue.aggregate(
        total=Count("pk"),
        long=Count("pk", filter=Q(due__lt=today - timedelta(days=DIGEST_LATE))),
    )
    oldest = [
        f"#{m.pk} {m.title if not (m.incident and m.incident.confidential) else '—'} "
        f"({m.owner.full_name}, {m.due.isoformat()})"
        for m in overdue.select_related("owner", "incident").order_by("due", "pk")[:20]
    ]
    month_start = today.replace(day=1) - timedelta(days=1)
    last_month = month_start.replace(day=1)
    closed = Measure.objects.filter(
        status=MeasureStatus.VERIFIED,
        verified_at__date__gte=last_month,
        verified_at__date__lt=today,
    ).count()
    with transaction.atomic():
        notify(
            event="recovery.digest",
            context={
                "month": f"{today:%Y-%m}",
                "overdue": counts["total"],
                "long_overdue": counts["long"],
                "verified": closed,
                "oldest": "\n".join(oldest),
            },
            recipients=group_members(GroupKind.LEADERSHIP),
            link="/improvements/?overdue=1",
            key=key,
        )
    return 1


def oldest_due() -> datetime | None:
    from yingji.engine.registry import oldest_due as oldest

    return oldest(RebuildItem.objects.filter(status=RebuildStatus.OPEN), "due_at")
