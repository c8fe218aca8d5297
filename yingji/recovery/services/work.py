"""Recovery plans (R-REC-1), rebuild work (R-REC-2), the review meeting (R-REV-2) and the
after-phase's close: each change with its audit event and notices in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record, audited_create, audited_update
from yingji.core.access import require
from yingji.core.actors import Actor, person_user, user_of
from yingji.core.errors import DomainError
from yingji.core.moments import minute_text
from yingji.incidents.models import Incident
from yingji.notify.services import notify
from yingji.org.choices import DepartmentKind
from yingji.org.models import Department, Person
from yingji.recovery import queries
from yingji.recovery.choices import (
    PLAN_OPEN,
    REVIEW_QUESTIONS,
    STEP_OPEN,
    PlanStatus,
    RebuildKind,
    RebuildStatus,
    ReportStatus,
    ReviewStatus,
    StepStatus,
)
from yingji.recovery.models import (
    AfterPhase,
    RebuildItem,
    RecoveryPlan,
    RecoveryStep,
    Review,
)
from yingji.recovery.services.common import (
    checked_due,
    checked_person,
    checked_text,
    recovery_settings,
    working_days_after,
)

MAX_STEPS = 50


def _locked_plan(plan: RecoveryPlan) -> RecoveryPlan:
    return (
        RecoveryPlan.objects.select_for_update(of=("self",))
        .select_related("department__head", "department__deputy", "incident")
        .get(pk=plan.pk)
    )


def _may_write(actor: Actor, plan: RecoveryPlan) -> None:
    require(
        queries.can_write_plan(actor, plan),
        _("Only the department's own people or the office write its recovery plan."),
    )


# ---------------------------------------------------------------- R-REC-1 recovery plans


@transaction.atomic
def plan_add(*, actor: Actor, incident: Incident, department: Department) -> RecoveryPlan:
    """The office adds a business department the end order did not see as affected."""
    queries.require_coordinator(actor)
    if not hasattr(incident, "after_phase"):
        raise DomainError(_("The after-phase opens when the end is ordered."), code="conflict")
    if department.kind != DepartmentKind.BUSINESS:
        raise DomainError(_("Recovery plans are for business departments."), field="department")
    if RecoveryPlan.objects.filter(incident=incident, department=department).exists():
        raise DomainError(_("This department already has a recovery plan."), field="department")
    settings = recovery_settings()
    from yingji.recovery.services.opening import impact_text

    plan = RecoveryPlan(
        incident=incident,
        department=department,
        owner=department.head or department.deputy,
        impact=impact_text(incident),
        due_at=working_days_after(timezone.now(), settings.plan_days, settings),
    )
    audited_create(
        actor=actor,
        instance=plan,
        action="recovery.plan.create",
        fields=["incident", "department", "owner", "due_at"],
        regulation="R-REC-1",
    )
    if plan.owner is not None:
        _tell(plan.owner, "recovery.plan_assigned", plan, due=plan.due_at)
    return plan


@transaction.atomic
def plan_update(
    *, actor: Actor, plan: RecoveryPlan, goals: str, impact: str | None = None
) -> RecoveryPlan:
    plan = _locked_plan(plan)
    _may_write(actor, plan)
    _check_draft(plan)
    changes: dict[str, Any] = {
        "goals": checked_text(goals, "goals", _("Say what the plan aims at."))
    }
    if impact is not None:
        changes["impact"] = str(impact).strip()[:20_000]
    audited_update(
        actor=actor,
        instance=plan,
        changes=changes,
        action="recovery.plan.update",
        regulation="R-REC-1",
    )
    return plan


def _check_draft(plan: RecoveryPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(
            _("The plan is %(status)s; only a plan being written changes.")
            % {"status": plan.get_status_display()},
            code="conflict",
        )


@transaction.atomic
def steps_set(
    *, actor: Actor, plan: RecoveryPlan, steps: Iterable[Mapping[str, Any]]
) -> list[RecoveryStep]:
    """The plan's steps, all given at once: each with what, its time point and its owner."""
    plan = _locked_plan(plan)
    _may_write(actor, plan)
    _check_draft(plan)
    steps = list(steps)
    if len(steps) > MAX_STEPS:
        raise DomainError(_("At most %(n)d steps.") % {"n": MAX_STEPS}, field="steps")
    rows = [_step(plan, position, raw) for position, raw in enumerate(steps, start=1)]
    plan.steps.all().delete()
    RecoveryStep.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="recovery.plan.steps",
        obj=plan,
        after={"steps": [f"{s.due_at:%Y-%m-%d %H:%M} {s.description} ({s.owner})" for s in rows]},
        regulation="R-REC-1",
    )
    return list(plan.steps.all())


def _step(plan: RecoveryPlan, position: int, raw: Mapping[str, Any]) -> RecoveryStep:
    where = _("Step %(n)d: ") % {"n": position}
    description = str(raw.get("description") or "").strip()
    if not description:
        raise DomainError(where + _("say what is done."), field="steps")
    if raw.get("owner") is None:
        raise DomainError(where + _("name its owner."), field="steps")
    if raw.get("due_at") is None:
        raise DomainError(where + _("give its time point."), field="steps")
    try:
        owner = checked_person(raw["owner"])
        due = checked_due(raw["due_at"])
    except DomainError as exc:
        raise DomainError(where + str(exc.message), field="steps") from None
    return RecoveryStep(
        plan=plan,
        position=position,
        description=description[:500],
        due_at=due,
        owner=owner,
    )


@transaction.atomic
def plan_approve(*, actor: Actor, plan: RecoveryPlan) -> RecoveryPlan:
    """R-REC-1: the department head approves a plan with goals and steps."""
    plan = _locked_plan(plan)
    require(
        queries.can_approve_plan(actor, plan),
        _("Only the head or deputy head of the department approves its recovery plan."),
    )
    _check_draft(plan)
    if not plan.goals.strip():
        raise DomainError(_("Write the plan's goals before approving it."), field="goals")
    if not plan.steps.exists():
        raise DomainError(_("Give the plan at least one step."), field="steps")
    audited_update(
        actor=actor,
        instance=plan,
        changes={
            "status": PlanStatus.APPROVED,
            "approved_by": person_user(actor),
            "approved_at": timezone.now(),
        },
        action="recovery.plan.approve",
        regulation="R-REC-1",
    )
    for step in plan.steps.select_related("owner"):
        _tell(step.owner, "recovery.step_assigned", plan, due=step.due_at, step=step.description)
    return plan


@transaction.atomic
def step_update(*, actor: Actor, step: RecoveryStep, status: str, note: str = "") -> RecoveryStep:
    plan = _locked_plan(step.plan)
    require(
        queries.can_update_step(actor, plan, step.owner_id),
        _("Only the step's owner, the department or the office update it."),
    )
    if plan.status != PlanStatus.APPROVED:
        raise DomainError(_("Steps are worked on once the plan is approved."), code="conflict")
    if status not in StepStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    if status == StepStatus.SKIPPED and not note.strip():
        raise DomainError(_("Say why the step is not needed."), field="note")
    audited_update(
        actor=actor,
        instance=step,
        changes={
            "status": status,
            "note": note.strip()[:500],
            "done_at": timezone.now() if status == StepStatus.DONE else None,
        },
        action="recovery.step.update",
        regulation="R-REC-1",
    )
    if not plan.steps.filter(status__in=STEP_OPEN).exists():
        audited_update(
            actor=actor,
            instance=plan,
            changes={"status": PlanStatus.COMPLETED, "completed_at": timezone.now()},
            action="recovery.plan.complete",
            regulation="R-REC-1",
        )
    return step


@transaction.atomic
def plan_withdraw(*, actor: Actor, plan: RecoveryPlan, reason: str) -> RecoveryPlan:
    plan = _locked_plan(plan)
    require(
        queries.coordinates(actor) or queries.can_approve_plan(actor, plan),
        _("Only the department head or the office withdraws a recovery plan."),
    )
    if plan.status not in PLAN_OPEN:
        raise DomainError(_("The plan is already finished."), code="conflict")
    reason = checked_text(reason, "reason", _("Say why the department was not affected."), 2000)
    audited_update(
        actor=actor,
        instance=plan,
        changes={"status": PlanStatus.WITHDRAWN, "withdrawn_reason": reason},
        action="recovery.plan.withdraw",
        reason=reason,
        regulation="R-REC-1",
    )
    return plan


# ---------------------------------------------------------------- R-REC-2 rebuild


@transaction.atomic
def rebuild_create(
    *,
    actor: Actor,
    incident: Incident,
    kind: str,
    target: str,
    description: str,
    owner: Person,
    due_at: datetime,
    verification: str,
) -> RebuildItem:
    require(
        queries.technical(actor), _("The technology department and the experts plan the rebuild.")
    )
    if not hasattr(incident, "after_phase"):
        raise DomainError(_("The after-phase opens when the end is ordered."), code="conflict")
    item = RebuildItem(
        incident=incident,
        kind=_kind(kind),
        target=checked_text(target, "target", _("Name the system or asset."), 200),
        description=checked_text(description, "description", _("Say what is done.")),
        owner=checked_person(owner),
        due_at=checked_due(due_at),
        verification=checked_text(
            verification, "verification", _("Say how the work will be verified."), 500
        ),
        created_by=user_of(actor),
    )
    audited_create(
        actor=actor,
        instance=item,
        action="recovery.rebuild.create",
        fields=["kind", "target", "description", "owner", "due_at", "verification"],
        regulation="R-REC-2",
    )
    _tell(item.owner, "recovery.rebuild_assigned", item, due=item.due_at, target=item.target)
    return item


def _kind(kind: str) -> str:
    if kind not in RebuildKind.values:
        raise DomainError(_("The kind is restore, harden or optimise."), field="kind")
    return kind


@transaction.atomic
def rebuild_update(*, actor: Actor, item: RebuildItem, **changes: Any) -> RebuildItem:
    """Change what, who, when or how it is verified, while the work is open."""
    item = RebuildItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    require(
        queries.technical(actor), _("The technology department and the experts plan the rebuild.")
    )
    _check_open(item)
    checks: dict[str, Callable[[Any], Any]] = {
        "kind": _kind,
        "target": lambda v: checked_text(v, "target", _("Name the system or asset."), 200),
        "description": lambda v: checked_text(v, "description", _("Say what is done.")),
        "owner": checked_person,
        "due_at": checked_due,
        "verification": lambda v: checked_text(
            v, "verification", _("Say how the work will be verified."), 500
        ),
    }
    unknown = set(changes) - set(checks)
    if unknown:
        raise DomainError(_("Unknown field."), field=sorted(unknown)[0])
    checked = {name: checks[name](value) for name, value in changes.items()}
    audited_update(
        actor=actor,
        instance=item,
        changes=checked,
        action="recovery.rebuild.update",
        regulation="R-REC-2",
    )
    return item


def _check_open(item: RebuildItem) -> None:
    if item.status != RebuildStatus.OPEN:
        raise DomainError(_("The work is already finished."), code="conflict")


@transaction.atomic
def rebuild_finish(*, actor: Actor, item: RebuildItem, status: str, result: str) -> RebuildItem:
    """Done (verified as planned, with the result) or cancelled (with the reason)."""
    item = RebuildItem.objects.select_for_update(of=("self",)).get(pk=item.pk)
    require(
        queries.can_write_rebuild(actor, item),
        _("Only the owner, the technology department or the experts finish rebuild work."),
    )
    _check_open(item)
    if status not in (RebuildStatus.DONE, RebuildStatus.CANCELLED):
        raise DomainError(_("Finish as done or cancelled."), field="status")
    if status == RebuildStatus.DONE and not item.verification.strip():
        raise DomainError(
            _("Say how the work is verified before marking it done."), field="verification"
        )
    if item.owner_id is None:
        raise DomainError(_("Name the owner first."), field="owner")
    result = checked_text(
        result,
        "result",
        _("Say what the verification showed.")
        if status == RebuildStatus.DONE
        else _("Say why it is cancelled."),
    )
    audited_update(
        actor=actor,
        instance=item,
        changes={"status": status, "result": result, "done_at": timezone.now()},
        action=f"recovery.rebuild.{status}",
        regulation="R-REC-2",
    )
    return item


# ---------------------------------------------------------------- R-REV-2 the review


@transaction.atomic
def review_schedule(
    *,
    actor: Actor,
    review: Review,
    scheduled_at: datetime,
    place: str = "",
    attendees: Iterable[Person] = (),
) -> Review:
    review = Review.objects.select_for_update(of=("self",)).get(pk=review.pk)
    require(
        queries.can_hold_review(actor, review),
        _("The office or the leadership group schedules the review."),
    )
    if review.status == ReviewStatus.HELD:
        raise DomainError(_("The review was already held."), code="conflict")
    when = checked_due(scheduled_at, "scheduled_at")
    audited_update(
        actor=actor,
        instance=review,
        changes={
            "scheduled_at": when,
            "place": place.strip()[:300],
            "status": ReviewStatus.SCHEDULED,
        },
        action="recovery.review.schedule",
        regulation="R-REV-2",
    )
    people = [checked_person(p, "attendees") for p in attendees]
    if people:
        review.attendees.set(people)
        notify(
            event="recovery.review_scheduled",
            context={
                "incident": review.incident_id,
                "title": "" if review.incident.confidential else review.incident.title,
                "at": minute_text(when),
                "place": review.place,
            },
            recipients=people,
            link=f"/recovery/incidents/{review.incident_id}/#review",
            key=f"recovery:review:{review.pk}:{when.isoformat()}",
        )
    return review


@transaction.atomic
def review_record(
    *,
    actor: Actor,
    review: Review,
    held_at: datetime,
    attendees: Iterable[Person],
    answers: Mapping[str, Any],
    minutes: str,
    measures: Iterable[Mapping[str, Any]] = (),
) -> Review:
    """R-REV-2: the meeting's record; its outcome is the improvement measures, each entered
    in the register."""
    from yingji.recovery.services.measures import measure_create

    review = (
        Review.objects.select_for_update(of=("self",)).select_related("incident").get(pk=review.pk)
    )
    require(
        queries.can_hold_review(actor, review),
        _("The office or the leadership group records the review."),
    )
    if review.status == ReviewStatus.HELD:
        raise DomainError(_("The review was already recorded."), code="conflict")
    report = getattr(review.incident, "summary_report", None)
    if report is None or report.status not in (ReportStatus.APPROVED, ReportStatus.PUBLISHED):
        raise DomainError(
            _("Review the summary report once the leadership group has approved it."),
            code="conflict",
        )
    held = checked_due(held_at, "held_at")
    if held > timezone.now():
        raise DomainError(_("Record a meeting once it has been held."), field="held_at")
    people = [checked_person(p, "attendees") for p in attendees]
    if not people:
        raise DomainError(_("Name who took part."), field="attendees")
    keys = [key for key, _label in REVIEW_QUESTIONS]
    missing = [key for key in keys if not isinstance(answers.get(key), bool)]
    if missing:
        raise DomainError(
            _("Answer every question of the review: %(keys)s") % {"keys": ", ".join(missing)},
            field="answers",
        )
    minutes = checked_text(minutes, "minutes", _("Write the minutes."))
    audited_update(
        actor=actor,
        instance=review,
        changes={
            "status": ReviewStatus.HELD,
            "held_at": held,
            "answers": {key: answers[key] for key in keys},
            "minutes": minutes,
            "recorded_by": person_user(actor),
        },
        action="recovery.review.record",
        regulation="R-REV-2",
    )
    review.attendees.set(people)
    for raw in measures:
        measure_create(
            actor=actor,
            **{**raw, "source": "incident", "incident": review.incident, "review": review},
        )
    return review


# ---------------------------------------------------------------- the close


def open_parts(phase: AfterPhase) -> list[str]:
    """What still keeps the after-phase open, in words."""
    incident = phase.incident
    parts = []
    plans = incident.recovery_plans.filter(status__in=PLAN_OPEN).select_related("department")
    parts += [_("recovery plan of %(d)s") % {"d": p.department.name} for p in plans]
    if incident.rebuild_items.filter(status=RebuildStatus.OPEN).exists():
        parts.append(_("open rebuild work"))
    report = getattr(incident, "summary_report", None)
    if report is not None and report.status != ReportStatus.PUBLISHED:
        parts.append(_("the summary report (not yet published)"))
    review = getattr(incident, "review", None)
    if review is not None and review.status != ReviewStatus.HELD:
        parts.append(_("the review meeting"))
    from yingji.recovery.services.opening import is_security

    hardened = incident.rebuild_items.filter(
        kind=RebuildKind.HARDEN, status=RebuildStatus.DONE
    ).exists()
    if is_security(incident) and not hardened:
        # R-REC-2: after an attack, new protections, not only a restore.
        parts.append(_("hardening work: a security incident is not closed with restores only"))
    return parts


@transaction.atomic
def after_phase_close(*, actor: Actor, phase: AfterPhase, note: str = "") -> AfterPhase:
    phase = (
        AfterPhase.objects.select_for_update(of=("self",))
        .select_related("incident")
        .get(pk=phase.pk)
    )
    require(
        queries.coordinates(actor) or queries.leads(actor),
        _("The leadership group or its office closes the after-phase."),
    )
    if phase.closed_at is not None:
        raise DomainError(_("The after-phase is already closed."), code="conflict")
    still = open_parts(phase)
    if still:
        raise DomainError(
            _("Still open: %(parts)s.") % {"parts": "; ".join(still)}, code="conflict"
        )
    audited_update(
        actor=actor,
        instance=phase,
        changes={
            "closed_at": timezone.now(),
            "closed_by": person_user(actor),
            "close_note": note.strip(),
        },
        action="recovery.close",
        regulation="R-REV-2",
    )
    return phase


def _tell(person: Person | None, event: str, obj: Any, *, due: datetime, **context: Any) -> None:
    if person is None:
        return
    incident = obj.incident
    notify(
        event=event,
        context={
            "incident": incident.pk,
            "title": "" if incident.confidential else incident.title,
            "due": minute_text(due),
            **context,
        },
        recipients=[person],
        link=f"/recovery/incidents/{incident.pk}/",
        key=f"recovery:{event}:{type(obj).__name__}:{obj.pk}:{person.pk}:{due.isoformat()}"
        + (f":{context['step'][:40]}" if "step" in context else ""),
    )
