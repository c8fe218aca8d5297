"""The after-phase opens at the end order (R-END-2 → R-REC-1..R-REV-2): one recovery plan per
affected business department, the rebuild work carried over, a pre-filled summary report and
a review to schedule, each with its owner and due time. Exactly once per incident however many
engines race: the AfterPhase row's unique key decides."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import SystemActor
from yingji.core.moments import minute_text
from yingji.incidents.choices import Decision, Status, TaskStatus
from yingji.incidents.command import DURATION_LABELS, KEY_TIME_LABELS, took
from yingji.incidents.models import Incident
from yingji.notify.services import notify
from yingji.org.choices import DepartmentKind, GroupKind, Scenario
from yingji.org.criteria import Fact
from yingji.org.models import Department
from yingji.org.queries import group_leader, group_members
from yingji.recovery.choices import Author, RebuildKind
from yingji.recovery.models import (
    AfterPhase,
    RebuildItem,
    RecoveryPlan,
    RecoverySettings,
    Review,
    SummaryReport,
    SummarySection,
)
from yingji.recovery.services.common import recovery_settings, working_days_after

ENGINE = SystemActor("engine")

# An exercise gets an after-phase when its drill asks for it: the drills app registers here.
EXERCISE_WANTS: list[Callable[[Incident], bool]] = []


def register_exercise_policy(wants: Callable[[Incident], bool]) -> None:
    if wants not in EXERCISE_WANTS:
        EXERCISE_WANTS.append(wants)


def wants_after_phase(incident: Incident, settings: RecoverySettings) -> bool:
    if incident.status != Status.ENDED:
        return False
    if not incident.exercise:
        return True
    return settings.exercises or any(wants(incident) for wants in EXERCISE_WANTS)


# (key, author, required when: "always" | "security" | "regulator")
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("overview", Author.LEADERSHIP, "always"),
    ("decisions", Author.LEADERSHIP, "always"),
    ("cause", Author.EXPERT, "always"),
    ("technique", Author.EXPERT, "security"),
    ("course", Author.EXECUTION, "always"),
    ("measures", Author.EXECUTION, "always"),
    ("effect", Author.DEPARTMENTS, "always"),
    ("went_well", Author.ALL, "always"),
    ("went_badly", Author.ALL, "always"),
    ("lucky", Author.ALL, "optional"),
    ("harm", Author.LEADERSHIP, "regulator"),
    ("accountability", Author.LEADERSHIP, "regulator"),
    ("rectification", Author.LEADERSHIP, "regulator"),
)


def is_security(incident: Incident) -> bool:
    return incident.category == Scenario.NETWORK_SECURITY


def regulator_needs(incident: Incident, settings: RecoverySettings) -> bool:
    """CAC 2025 Art. 8: a summary within 30 days for reportable events (by default network
    security, grade III 较大 or above)."""
    return incident.category in (settings.regulator_categories or []) and (
        incident.grade in (settings.regulator_grades or [])
    )


def after_phase_on_end(incident: Incident, actor: Any) -> None:
    """incidents.ended listener: inside the end order's transaction."""
    after_phase_open(incident=incident, actor=actor)


def after_phase_open(*, incident: Incident, actor: Any = ENGINE) -> AfterPhase | None:
    """Open the after-phase once; None when it is not wanted or is already open."""
    settings = recovery_settings()
    if not wants_after_phase(incident, settings):
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                phase = AfterPhase.objects.create(incident=incident)
        except IntegrityError:
            return None  # another engine (or the end order) opened it first
        ended = incident.ended_at or timezone.now()
        # What is written for people in the language of the organisation, not of the engine.
        with translation.override(django_settings.LANGUAGE_CODE):
            plans = _recovery_plans(incident, settings, ended)
            items = _rebuild(incident, settings, ended, actor)
            report = _summary(incident, settings, ended)
            review = Review.objects.create(
                incident=incident,
                owner=group_leader(GroupKind.OFFICE),
                due_at=working_days_after(report.due_at, settings.review_days, settings),
            )
        audit_record(
            actor=actor,
            action="recovery.open",
            obj=report,
            after={
                "incident": incident.pk,
                "recovery_plans": [p.department.code for p in plans],
                "rebuild_items": len(items),
                "summary_due": report.due_at.isoformat(),
                "review_due": review.due_at.isoformat(),
            },
            regulation="R-REC-1",
        )
        _tell_owners(incident, plans, items, report, review)
    return phase


# ---------------------------------------------------------------- R-REC-1 recovery plans


def affected_departments(incident: Incident) -> list[Department]:
    """The business departments the incident touched: the judging department, the
    reporter's, and those of the people who took part for their department."""
    people = incident.participants.filter(role__in=["reporter", "triager", "added"]).values(
        "person__department"
    )
    rows = Department.objects.filter(
        Q(pk=incident.department_id) | Q(pk=incident.reporter.department_id) | Q(pk__in=people),
        kind=DepartmentKind.BUSINESS,
    ).select_related("head", "deputy")
    return list(rows.order_by("code"))


def _labelled(incident: Incident, names: tuple[str, ...]) -> list[str]:
    """ "label: value" for each of the incident's fields that has one, in the fields' words."""
    fields = {f.name: f.verbose_name for f in Incident._meta.concrete_fields}
    rows = ((fields[n], getattr(incident, n)) for n in names)
    return [f"{label}: {value}" for label, value in rows if value not in (None, "")]


def impact_text(incident: Incident) -> str:
    fields = ("scope", "affected_systems", "affected_users", "interruption_minutes")
    return "\n".join(_labelled(incident, (*fields, "affected_regions")))


def _recovery_plans(
    incident: Incident, settings: RecoverySettings, ended: datetime
) -> list[RecoveryPlan]:
    due = working_days_after(ended, settings.plan_days, settings)
    impact = impact_text(incident)
    return [
        RecoveryPlan.objects.create(
            incident=incident,
            department=department,
            owner=department.head or department.deputy,
            impact=impact,
            due_at=due,
        )
        for department in affected_departments(incident)
    ]


# ---------------------------------------------------------------- R-REC-2 rebuild


NOTHING = {"", "无", "没有", "暂无", "無", "none", "n/a", "-", "—"}  # "no residual risks"


def _rebuild(
    incident: Incident, settings: RecoverySettings, ended: datetime, actor: Any
) -> list[RebuildItem]:
    """The tasks carried over at the end (R-END-1) to restore; the experts' residual risks
    to harden against."""
    due = working_days_after(ended, settings.rebuild_days, settings)
    fallback = group_leader(GroupKind.EXPERT)
    target = (incident.affected_systems.strip().splitlines() or [incident.title])[0][:200]
    items = []
    for task in incident.tasks.filter(status=TaskStatus.CARRIED_OVER).select_related("assignee"):
        description = "\n".join(x for x in (task.title, task.details, task.closing_reason) if x)
        items.append(
            RebuildItem(
                incident=incident,
                kind=RebuildKind.RESTORE,
                target=target,
                description=description,
                owner=task.assignee or fallback,
                due_at=task.due_at if task.due_at and task.due_at > ended else due,
                verification="",
                task=task,
            )
        )
    evaluation = incident.evaluations.select_related("by__person").first()
    if evaluation is not None:
        expert = getattr(evaluation.by, "person", None) or fallback
        for line in evaluation.residual_risks.splitlines():
            if line.strip().lower().rstrip("。.") not in NOTHING:
                items.append(
                    RebuildItem(
                        incident=incident,
                        kind=RebuildKind.HARDEN,
                        target=target,
                        description=_("Residual risk: %(risk)s") % {"risk": line.strip()},
                        owner=expert,
                        due_at=due,
                        verification="",
                    )
                )
    return RebuildItem.objects.bulk_create(items)


# ---------------------------------------------------------------- R-REV-1 the summary


def _summary(incident: Incident, settings: RecoverySettings, ended: datetime) -> SummaryReport:
    due = working_days_after(ended, settings.summary_days, settings)
    regulator_due = None
    if regulator_needs(incident, settings):
        regulator_due = ended + timedelta(days=settings.regulator_days)
        due = min(due, regulator_due)
    business = [p.department.name for p in incident.recovery_plans.select_related("department")]
    report = SummaryReport.objects.create(
        incident=incident,
        owner=group_leader(GroupKind.LEADERSHIP),
        due_at=due,
        regulator_due_at=regulator_due,
        security=is_security(incident),
        customers_affected=incident.affected_users,
        records_affected=incident.records_leaked,
        interruptions=[
            {"business": name, "minutes": incident.interruption_minutes}
            for name in business
            if incident.interruption_minutes is not None
        ],
    )
    texts = prefill(incident)
    SummarySection.objects.bulk_create(
        [
            SummarySection(
                report=report,
                key=key,
                position=position,
                author=author,
                required=required_for(when, report),
                text=texts.get(key, ""),
            )
            for position, (key, author, when) in enumerate(SECTIONS)
            if when in ("always", "optional") or required_for(when, report)
        ]
    )
    return report


def required_for(when: str, report: SummaryReport) -> bool:
    if when == "security":
        return report.security
    if when == "regulator":
        return report.regulator_due_at is not None
    return when == "always"


_when = minute_text


def prefill(incident: Incident) -> dict[str, str]:
    """The sections as far as the incident's record writes them: key times, decisions,
    the timeline, tasks and progress reports, the figures (R-REV-1)."""
    return {
        "overview": _overview(incident),
        "decisions": _decisions(incident),
        "cause": _cause(incident),
        "course": _course(incident),
        "measures": _measures(incident),
        "effect": _effect(incident),
    }


def _overview(incident: Incident) -> str:
    lines = [
        f"{incident.title} ({incident.get_category_display()})",
        _("Grade: %(grade)s; response level: %(level)s")
        % {
            "grade": incident.get_grade_display() or "—",
            "level": incident.get_response_level_display() or "—",
        },
        _("Key times:"),
        *(
            f"  {KEY_TIME_LABELS[name]}: {_when(moment)}"
            for name, moment in incident.key_times().items()
            if moment is not None
        ),
        *(
            f"  {DURATION_LABELS[name]}: {took(seconds)}"  # to escalate: R-RESP-2's 15 minutes
            for name, seconds in incident.durations().items()
            if seconds is not None
        ),
    ]
    return "\n".join(str(line) for line in lines)


def _decisions(incident: Incident) -> str:
    lines = []
    for assessment in incident.assessments.select_related("decided_by__person").prefetch_related(
        "plan_versions__plan"
    ):
        versions = (
            ", ".join(f"{v.plan.code} v{v.number}" for v in assessment.plan_versions.all())
            or assessment.plans
        )
        lines.append(
            _("%(at)s %(decision)s; %(level)s; plans: %(plans)s")
            % {
                "at": _when(assessment.meeting_at),
                "decision": Decision(assessment.decision).label,
                "level": assessment.get_response_level_display() or "—",
                "plans": versions or "—",
            }
        )
        if assessment.minutes.strip():
            lines.append("  " + assessment.minutes.strip())
    end = incident.timeline.filter(action="end").first()
    if end is not None:
        lines.append(
            _("%(at)s End ordered.") % {"at": _when(end.at)} + (f" {end.text}" if end.text else "")
        )
    return "\n".join(str(line) for line in lines)


def _cause(incident: Incident) -> str:
    plan = incident.handling_plans.first()  # the newest revision
    evaluation = incident.evaluations.first()
    lines = []
    if plan is not None:
        lines += [
            _("The experts' analysis (handling plan v%(n)d):") % {"n": plan.version},
            plan.analysis,
        ]
    if evaluation is not None and evaluation.residual_risks.strip():
        lines += [_("Residual risks at the end:"), evaluation.residual_risks.strip()]
    return "\n".join(lines)


def _course(incident: Incident) -> str:
    entries = incident.timeline.order_by("at", "pk")[:400]
    return "\n".join(
        f"{_when(entry.at)} {entry.action_label}" + (f": {entry.text[:300]}" if entry.text else "")
        for entry in entries
    )


def _measures(incident: Incident) -> str:
    lines = [
        f"- {task.title} ({task.get_status_display()})"
        for task in incident.tasks.order_by("created_at", "pk")[:200]
    ]
    reports = list(incident.progress.order_by("at", "pk")[:100])
    if reports:
        lines.append(_("Progress reports:"))
        lines += [
            f"{_when(r.at)} {r.done}" + (f" / {r.current}" if r.current else "") for r in reports
        ]
    return "\n".join(lines)


def _effect(incident: Incident) -> str:
    lines = _labelled(incident, tuple(Fact.values))
    if incident.scope.strip():
        lines.append(incident.scope.strip())
    evaluation = incident.evaluations.first()
    if evaluation is not None:
        lines.append(_("At the end: performance back to normal, business running stably."))
    return "\n".join(str(line) for line in lines)


# ---------------------------------------------------------------- who is told


def _tell_owners(
    incident: Incident,
    plans: list[RecoveryPlan],
    items: list[RebuildItem],
    report: SummaryReport,
    review: Review,
) -> None:
    owners = {*(p.owner for p in plans), *(i.owner for i in items), report.owner, review.owner}
    told = {p for p in owners if p is not None} | set(group_members(GroupKind.OFFICE))
    notify(
        event="recovery.opened",
        context={
            "incident": incident.pk,
            "title": "" if incident.confidential else incident.title,
            "plans": len(plans),
            "rebuild": len(items),
            "summary_due": _when(report.due_at),
        },
        recipients=sorted(told, key=lambda p: p.pk),
        link=f"/recovery/incidents/{incident.pk}/",
        key=f"recovery:{incident.pk}:opened",
    )


def open_missing(batch: int = 50) -> int:
    """The engine's sweep: incidents ended without an after-phase (ended before this app was
    installed, or while it was off)."""
    settings = recovery_settings()
    rows = Incident.objects.filter(status=Status.ENDED, after_phase__isnull=True)
    if not settings.exercises and not EXERCISE_WANTS:
        rows = rows.filter(exercise=False)
    opened = 0
    for incident in rows.order_by("ended_at", "pk")[:batch]:
        if after_phase_open(incident=incident) is not None:
            opened += 1
    return opened
