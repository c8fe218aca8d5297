"""The response flow's writers (R-RESP-1..3). Each step is one transaction: the change, its
timeline entry, the audit event and the notices (the outbox) commit together or not at all."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import is_system
from yingji.core.errors import AccessDenied, DomainError
from yingji.incidents.choices import Grade, Status, Who, transition_for
from yingji.incidents.models import Incident, TimelineEntry
from yingji.incidents.queries import group_members, is_triager, judging_department, triagers
from yingji.notify.services import notify
from yingji.org.choices import GroupKind, PersonStatus, Scenario
from yingji.org.models import Person
from yingji.org.roles import roles_of

REPORT_FIELDS = ("location", "scope", "affected_systems", "contact")
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead


@transaction.atomic
def incident_report(
    *,
    actor: Any,
    title: str,
    category: str,
    occurred_at: datetime,
    symptoms: str,
    severity: str = "",
    exercise: bool = False,
    confidential: bool = False,
    **details: str,
) -> Incident:
    """R-RESP-1/3: anyone reports; the judging department's head and deputy are told at once
    and must judge within YINGJI_ESCALATE_MINUTES (R-RESP-2)."""
    reporter = _active_person(actor)
    _check_report(title, category, occurred_at, symptoms, severity, details)
    now = timezone.now()
    incident = Incident.objects.create(
        title=title.strip(),
        category=category,
        occurred_at=occurred_at,
        symptoms=symptoms.strip(),
        severity=severity,
        exercise=exercise,
        confidential=confidential,
        reporter=reporter,
        department=judging_department(reporter.department),
        reported_at=now,
        escalate_by=now + timedelta(minutes=settings.ESCALATE_MINUTES),
        **{k: str(details.get(k, "")).strip() for k in REPORT_FIELDS},
    )
    _timeline(incident, actor, "report", to_status=Status.REPORTED, clause="R-RESP-1")
    audit_record(
        actor=actor, action="incident.report", obj=incident, regulation="R-RESP-1",
        after={"title": incident.title, "category": category, "confidential": confidential},
    )  # fmt: skip
    _tell(incident, "incident.reported", triagers(incident), receipt=True)
    return incident


def _active_person(actor: Any) -> Person:
    person = roles_of(actor).person
    if person is None or person.status != PersonStatus.ACTIVE:
        raise AccessDenied(_("Only people of the organisation can report an incident."))
    return person


def _check_report(
    title: str, category: str, occurred_at: datetime, symptoms: str, severity: str, details: dict
) -> None:
    if not title.strip():
        raise DomainError(_("Say in a few words what is wrong."), field="title")
    if category not in Scenario.values:
        raise DomainError(_("Choose a category."), field="category")
    if not symptoms.strip():
        raise DomainError(_("Describe what you see (R-RESP-3)."), field="symptoms")
    if severity and severity not in Grade.values:
        raise DomainError(_("Choose a grade from the list."), field="severity")
    if timezone.is_naive(occurred_at) or occurred_at > timezone.now() + CLOCK_SKEW:
        raise DomainError(_("The time of occurrence cannot be in the future."), field="occurred_at")
    unknown = set(details) - set(REPORT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})


# ---------------------------------------------------------------- the transition function


@transaction.atomic
def incident_transition(
    *, actor: Any, incident: Incident, action: str, text: str = "", **fields: Any
) -> Incident:
    """Apply one step of TRANSITIONS as a compare-and-swap: if someone else moved the incident
    first, nothing changes and the caller is told."""
    move = transition_for(action, incident.status)
    if move is None:
        raise DomainError(
            _("This step is not possible while the incident is %(status)s.")
            % {"status": incident.get_status_display()},
            code="conflict",
        )
    _check_who(actor, incident, move.who)
    changed = Incident.objects.filter(pk=incident.pk, status=incident.status).update(
        status=move.target, **fields
    )
    if changed != 1:
        raise DomainError(_("Someone else has just changed this incident."), code="conflict")
    before = incident.status
    incident.refresh_from_db()
    _timeline(incident, actor, action, before, move.target, text=text, clause=move.clause)
    audit_record(
        actor=actor, action=f"incident.{action}", obj=incident, reason=text,
        before={"status": before}, after={"status": move.target}, regulation=move.clause,
    )  # fmt: skip
    return incident


def _check_who(actor: Any, incident: Incident, who: str) -> None:
    if who == Who.ENGINE and is_system(actor):
        return
    if who == Who.TRIAGER and not is_system(actor) and is_triager(actor, incident):
        return
    raise AccessDenied(_("Only %(who)s may take this step.") % {"who": Who(who).label})


def incident_escalate(*, actor: Any, incident: Incident, note: str = "") -> Incident:
    """R-RESP-2: an emergency: reported to the leadership group, and the expert group and
    the scenario's execution group told in the same step."""
    now = timezone.now()
    incident = incident_transition(
        actor=actor, incident=incident, action="escalate", text=note,
        escalate_by=None, escalated_at=now,
    )  # fmt: skip
    _tell_escalated(incident)
    return incident


def incident_close_as_fault(*, actor: Any, incident: Incident, reason: str) -> Incident:
    """R-RESP-2: not an emergency; an ordinary fault, handled the usual way. Say why."""
    if not reason.strip():
        raise DomainError(_("Say why this is an ordinary fault."), field="reason")
    now = timezone.now()
    incident = incident_transition(
        actor=actor, incident=incident, action="close_as_fault", text=reason.strip(),
        escalate_by=None, closed_at=now, close_reason=reason.strip(),
    )  # fmt: skip
    _tell(incident, "incident.closed_as_fault", [incident.reporter], receipt=False)
    return incident


def incident_escalate_overdue(*, actor: Any, incident: Incident) -> Incident:
    """The judgement is late: the engine escalates, marks it late and tells the heads."""
    incident = incident_transition(
        actor=actor, incident=incident, action="auto_escalate",
        text=_("No judgement within %(n)d minutes.") % {"n": settings.ESCALATE_MINUTES},
        escalate_by=None, escalated_at=timezone.now(), escalated_late=True,
    )  # fmt: skip
    _tell_escalated(incident)
    _tell(incident, "incident.judgement_late", triagers(incident), receipt=False)
    return incident


# ---------------------------------------------------------------- timeline and notices


def _timeline(
    incident: Incident, actor: Any, action: str, from_status: str = "", to_status: str = "",
    *, text: str = "", clause: str = "",
) -> None:  # fmt: skip
    TimelineEntry.objects.create(
        incident=incident,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        text=text,
        clause=clause,
    )


def _tell_escalated(incident: Incident) -> None:
    people = group_members(GroupKind.LEADERSHIP) | group_members(GroupKind.EXPERT)
    if not incident.confidential:  # a breach stays with the leadership group and the experts
        people |= group_members(GroupKind.EXECUTION, scenario=incident.category)
    _tell(incident, "incident.escalated", list(people.distinct()), receipt=True)


def _tell(incident: Incident, event: str, people: list[Person], *, receipt: bool) -> None:
    notify(
        event=event,
        context={
            "number": incident.pk,
            "title": incident.title,
            "confidential": incident.confidential,
            "exercise": incident.exercise,
            "grade": incident.severity,
            "department": incident.department.name if incident.department else "",
        },
        recipients=people,
        link=f"/incidents/{incident.pk}/",
        require_receipt=receipt,
        key=f"incident:{incident.pk}:{event}",
    )
