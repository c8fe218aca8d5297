"""The leadership group's decisions: activation after the emergency meeting (R-ACT-1), the
mobilisation and all-staff notices (R-ACT-2), the experts' end recommendation (R-END-1)
and the end order (R-END-2)."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import Actor, person_user
from yingji.core.errors import DomainError
from yingji.core.moments import checked_moment
from yingji.incidents.choices import TASK_OPEN, Decision, Who
from yingji.incidents.ended import ended
from yingji.incidents.events import DEFAULT_TEMPLATES, PLACEHOLDERS
from yingji.incidents.models import Assessment, Evaluation, Incident, NoticeTemplate, Task
from yingji.incidents.services.common import (
    announce_task,
    check_who,
    incident_transition,
    join,
    participants_of,
    schedule_overdue_chase,
    tell,
    timeline,
)
from yingji.incidents.services.handling import settle_tasks
from yingji.notify.services import notify
from yingji.org.choices import GroupKind, PersonStatus
from yingji.org.grades import Grade, ResponseLevel
from yingji.org.models import Person
from yingji.org.queries import group_leader, group_members, require_org_manager

CLOCK_SKEW = timedelta(minutes=5)


# ---------------------------------------------------------------- R-ACT-1 the decision


@transaction.atomic
def incident_decide(
    *,
    actor: Actor,
    incident: Incident,
    decision: str,
    meeting_at: datetime,
    place: str = "",
    attendees: Iterable[Person] = (),
    minutes: str = "",
    plans: str = "",
    plan_versions: Iterable[Any] = (),
    response_level: str = "",
    grade: str = "",
    criteria_met: Iterable[str] = (),
    assemble_at: datetime | None = None,
    assemble_place: str = "",
    all_staff: bool = False,
    summary: str = "",
    precautions: str = "",
) -> Assessment:
    """The emergency meeting's record and its decision, in one step: who decided, when,
    which plans at which level, and which criteria were met (R-ACT-1)."""
    attendees = list(attendees)
    versions = _approved(plan_versions, incident) if decision == Decision.ACTIVATE else []
    plans = plans.strip() or "; ".join(
        f"{v.plan.code} {v.plan.title} v{v.number}" for v in versions
    )
    _check_decision(decision, meeting_at, plans, response_level, assemble_at, assemble_place)
    if grade and grade not in Grade.values:
        raise DomainError(_("Choose a grade from the list."), field="grade")
    now = timezone.now()
    fields: dict[str, Any] = {"assessed_at": incident.assessed_at or now}
    if grade:  # the meeting settles the grade too (R-ACT-1)
        fields["grade"] = grade
    if decision == Decision.ACTIVATE:
        fields |= {
            "activated_at": now,
            "response_level": response_level,
            "progress_due": now + timedelta(minutes=settings.PROGRESS_MINUTES[response_level]),
        }
    else:
        fields |= {"closed_at": now} if decision == Decision.CLOSE else {}
    grade_before = incident.grade
    incident = incident_transition(
        actor=actor, incident=incident, action=decision, text=minutes.strip(), **fields
    )
    if grade and grade != grade_before:  # on the timeline like any change of grade
        why = _("set at the emergency meeting")
        text = f"{grade_before or '—'} → {grade}: {why}"
        timeline(incident, actor, "regrade", text=text, clause="R-ACT-1")
    assessment = Assessment.objects.create(
        incident=incident,
        meeting_at=meeting_at,
        place=place.strip(),
        minutes=minutes.strip(),
        decision=decision,
        plans=plans.strip(),
        response_level=response_level,
        criteria_met=[str(c) for c in criteria_met],
        assemble_at=assemble_at,
        assemble_place=assemble_place.strip(),
        decided_by=person_user(actor),
    )
    assessment.attendees.set(attendees)
    assessment.plan_versions.set(versions)
    join(incident, attendees, "attendee")
    if decision == Decision.ACTIVATE:
        _tasks_from_plans(incident, versions, actor)
        _mobilise(incident, assessment)
        if all_staff:
            _all_staff(incident, "activation", actor, summary=summary, precautions=precautions)
    else:
        tell(
            incident,
            f"incident.{decision}",
            participants_of(incident),
            receipt=False,
            key=str(assessment.pk),
        )
    return assessment


def _approved(plan_versions: Iterable[Any], incident: Incident) -> list[Any]:
    """Only an approved version of a plan for this category (or the comprehensive plan) can be
    activated (R-PLAN-2)."""
    from yingji.plans.queries import approved_for

    wanted = {getattr(v, "pk", v) for v in plan_versions}
    found = list(approved_for(incident.category).filter(pk__in=wanted).prefetch_related("steps"))
    if len(found) != len(wanted):
        raise DomainError(
            _("Only an approved plan for this category can be activated."), field="plan_versions"
        )
    return found


def _tasks_from_plans(incident: Incident, versions: list[Any], actor: Actor) -> None:
    """R-HANDLE-1: each step of an activated plan becomes a task for the leader of the group
    that does it, with its checklist; once per incident (a second activation adds none)."""
    rows = []
    for version in versions:
        for step in version.steps.all():
            due = timezone.now() + timedelta(minutes=step.expected_minutes or 0)
            rows.append(
                Task(
                    incident=incident,
                    plan_step=step,
                    title=f"{step.position}. {step.title}"[:200],
                    details="\n".join(p for p in (step.when, step.how, step.where) if p),
                    assignee=_group_leader(step.group, incident.category),
                    due_at=due if step.expected_minutes else None,
                    created_by=person_user(actor),
                    checklist=[{"text": item, "done": False} for item in step.checklist],
                )
            )
    Task.objects.bulk_create(rows, ignore_conflicts=True)
    steps = [row.plan_step for row in rows]
    for task in Task.objects.filter(incident=incident, plan_step__in=steps).select_related(
        "assignee"
    ):
        announce_task(incident, task)  # as a task made by hand is
        schedule_overdue_chase(task)


def _group_leader(kind: str, category: str) -> Person | None:
    """The group's leader (组长), else its deputy leader; the execution group of the category."""
    return group_leader(kind, category)


def _check_decision(
    decision: str,
    meeting_at: datetime,
    plans: str,
    level: str,
    assemble_at: datetime | None,
    assemble_place: str,
) -> None:
    if decision not in Decision.values:
        raise DomainError(_("Choose a decision."), field="decision")
    checked_moment(
        meeting_at,
        "meeting_at",
        ahead=timedelta(0),
        too_late=_("The meeting cannot be in the future."),
    )
    if decision != Decision.ACTIVATE:
        return
    if not plans.strip():
        raise DomainError(_("Name the plan or plans to activate."), field="plans")
    if level not in ResponseLevel.values:
        raise DomainError(_("Choose the response level."), field="response_level")
    if assemble_at is None or not assemble_place.strip():
        # R-ACT-2: the groups assemble at a set place and time.
        raise DomainError(_("Say where and when the groups assemble."), field="assemble_place")
    checked_moment(assemble_at, "assemble_at", ahead=timedelta(days=30))


def _mobilise(incident: Incident, assessment: Assessment) -> None:
    """R-ACT-2: every member of the groups is told to assemble, and must confirm."""
    execution = group_members(GroupKind.EXECUTION, scenario=incident.category)
    join(incident, execution, "execution")
    people = (
        group_members(GroupKind.LEADERSHIP)
        | group_members(GroupKind.EXPERT)
        | group_members(GroupKind.OFFICE)
        | execution
    ).distinct()
    join(incident, group_members(GroupKind.OFFICE), "office")
    assert assessment.assemble_at is not None
    tell(
        incident,
        "incident.mobilised",
        list(people) + participants_of(incident, "attendee"),
        receipt=True,
        key=str(assessment.pk),
        level=assessment.response_level,
        place=assessment.assemble_place,
        at=assessment.assemble_at.isoformat(),
    )


def recommendation(incident: Incident) -> dict[str, Any]:
    """What Yingji suggests to the meeting (R-ACT-1): the grade the grading rules give for the
    facts and the matching response level, and the approved plans for the category with
    the activation criteria the facts meet. With no rule and no criterion met, keep watching."""
    from yingji.incidents.services.grading import grade_for
    from yingji.plans.queries import approved_for, criteria_met

    facts = incident.facts()
    grade, matched = grade_for(facts)
    plans = [
        {
            "id": v.pk,
            "label": f"{v.plan.code} {v.plan.title} v{v.number}",
            "criteria_met": criteria_met(v, facts),
        }
        for v in approved_for(incident.category)
    ]
    met = [p for p in plans if p["criteria_met"]]
    level = str(Grade.values.index(grade) + 1) if grade else ""  # grade I → level 1 response
    decision = Decision.ACTIVATE if grade or met else Decision.WATCH
    return {
        "decision": decision,
        "grade": grade,
        "level": level,
        "matched": matched,
        "plans": plans,
        "recommended_plans": [p["id"] for p in met],
    }


# ---------------------------------------------------------------- R-END-1..2 the end


@transaction.atomic
def incident_recommend_end(
    *,
    actor: Actor,
    incident: Incident,
    performance_normal: bool,
    business_stable: bool,
    residual_risks: str = "",
    trial_run_until: datetime | None = None,
    task_outcomes: Mapping[int, tuple[str, str]] | None = None,
) -> Evaluation:
    """R-END-1: the experts evaluate the recovery and recommend the end; the leadership group
    is told and must confirm. Every task still open is settled first, by `task_outcomes`
    ({task id: (done | cancelled | carried_over, reason)}): none is left silently open."""
    if not (performance_normal and business_stable):
        raise DomainError(
            _("Recommend the end only when performance is normal and business is stable."),
            field="business_stable",
        )
    if trial_run_until is not None:
        checked_moment(trial_run_until, "trial_run_until", ahead=timedelta(days=90))
    text = residual_risks.strip()
    check_who(actor, incident, Who.EXPERT)  # before the tasks change: the transition checks too
    settle_tasks(actor, incident, task_outcomes or {})
    incident = incident_transition(
        actor=actor,
        incident=incident,
        action="recommend_end",
        text=text,
        end_recommended_at=timezone.now(),
    )
    evaluation = Evaluation.objects.create(
        incident=incident,
        by=person_user(actor),
        performance_normal=True,
        business_stable=True,
        residual_risks=text,
        trial_run_until=trial_run_until,
    )
    tell(
        incident,
        "incident.end_recommended",
        group_members(GroupKind.LEADERSHIP),
        receipt=True,
        key=str(evaluation.pk),
    )
    return evaluation


@transaction.atomic
def incident_end(
    *,
    actor: Actor,
    incident: Incident,
    note: str = "",
    all_staff: bool = True,
    summary: str = "",
) -> Incident:
    """R-END-2: a leadership member orders the end and everyone is told; not while a task
    is still open (send it back to handling, or have the experts settle it)."""
    still_open = list(incident.tasks.filter(status__in=TASK_OPEN).values_list("title", flat=True))
    if still_open:
        raise DomainError(
            _(
                "These tasks are still open: %(tasks)s. Send the incident back to handling to "
                "finish, cancel or carry them over first."
            )
            % {"tasks": "; ".join(still_open)},
            code="conflict",
        )
    evaluation = incident.evaluations.first()
    if evaluation and evaluation.trial_run_until and evaluation.trial_run_until > timezone.now():
        raise DomainError(
            _("The trial run lasts until %(until)s; order the end after it.")
            % {"until": timezone.localtime(evaluation.trial_run_until).strftime("%Y-%m-%d %H:%M")},
            code="conflict",
        )
    now = timezone.now()
    incident = incident_transition(
        actor=actor,
        incident=incident,
        action="end",
        text=note.strip(),
        ended_at=now,
        closed_at=now,
        progress_due=None,
    )
    tell(incident, "incident.ended", participants_of(incident), receipt=False)
    ended(incident, actor)  # the after-phase opens in the same transaction (R-REC-1)
    if all_staff:
        _all_staff(incident, "end", actor, summary=summary, precautions="")
    return incident


@transaction.atomic
def incident_resume(*, actor: Actor, incident: Incident, reason: str) -> Incident:
    """R-END-2: the leadership group does not accept the recommendation: back to handling."""
    if not reason.strip():
        raise DomainError(_("Say what must still be done."), field="reason")
    cadence = settings.PROGRESS_MINUTES.get(incident.response_level or "4", 240)
    incident = incident_transition(
        actor=actor,
        incident=incident,
        action="resume",
        text=reason.strip(),
        end_recommended_at=None,
        progress_due=timezone.now() + timedelta(minutes=cadence),
    )
    step = incident.timeline.order_by("-pk").values_list("pk", flat=True).first()
    tell(
        incident,
        "incident.resumed",
        participants_of(incident),
        receipt=False,
        key=str(step),
        reason=reason.strip(),
    )
    return incident


# ---------------------------------------------------------------- all-staff notices


def notice_template(kind: str) -> tuple[str, str]:
    saved = NoticeTemplate.objects.filter(kind=kind).first()
    if saved is not None:
        return saved.title, saved.body
    title, body = DEFAULT_TEMPLATES[kind]
    return str(title), str(body)


@transaction.atomic
def notice_template_save(*, actor: Actor, kind: str, title: str, body: str) -> NoticeTemplate:
    """The office edits the all-staff notices; placeholders are checked now, not at 3 a.m."""
    require_org_manager(actor)
    if kind not in DEFAULT_TEMPLATES:
        raise DomainError(_("Unknown notice."), field="kind")
    for field, text in (("title", title), ("body", body)):
        _check_placeholders(text, field)
    template, _created = NoticeTemplate.objects.update_or_create(
        kind=kind, defaults={"title": title.strip(), "body": body.strip()}
    )
    audit_record(
        actor=actor,
        action="incident.notice_template.save",
        obj=template,
        after={"kind": kind, "title": template.title},
    )
    return template


def _check_placeholders(text: str, field: str) -> None:
    if not text.strip():
        raise DomainError(_("This cannot be empty."), field=field)
    try:
        names = {name for _t, name, _f, _c in string.Formatter().parse(text) if name is not None}
    except ValueError:
        raise DomainError(_("A { has no matching }."), field=field) from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise DomainError(
            _("Unknown placeholder %(names)s; use: %(known)s")
            % {"names": ", ".join(sorted(unknown)), "known": ", ".join(sorted(PLACEHOLDERS))},
            field=field,
        )


def _all_staff(
    incident: Incident, kind: str, actor: Actor, *, summary: str, precautions: str
) -> None:
    """R-ACT-2 / R-END-2: everyone, and every all-staff chat. A confidential incident's title
    never goes to all staff."""
    saved = NoticeTemplate.objects.filter(kind=kind).first()  # the office's own words
    notify(
        event="incident.all_staff",
        context={
            "kind": kind,
            "number": incident.pk,
            "title": incident.title,
            "confidential": incident.confidential,
            "exercise": incident.exercise,
            "grade": incident.grade,
            "level": incident.response_level,
            "summary": summary.strip(),
            "precautions": precautions.strip(),
            "own_title": saved.title if saved else "",
            "own_body": saved.body if saved else "",
        },
        link="/notify/",
        recipients=Person.objects.filter(status=PersonStatus.ACTIVE),
        broadcast=True,
        actor=actor,
        key=f"incident:{incident.pk}:all_staff:{kind}",
    )
    timeline(
        incident,
        actor,
        "note",
        text=_("All-staff notice sent."),
        clause="R-ACT-2" if kind == "activation" else "R-END-2",
    )
