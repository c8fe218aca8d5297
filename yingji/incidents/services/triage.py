"""The response flow's writers (R-RESP-1..3). Each step is one transaction: the change, its
timeline entry, the audit event and the notices (the outbox) commit together or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yingji.audit.services import audit_record
from yingji.core.actors import Actor
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.moments import checked_moment
from yingji.incidents.choices import Status
from yingji.incidents.escalated import escalated
from yingji.incidents.models import Incident
from yingji.incidents.queries import judging_department, triagers
from yingji.incidents.services.attachments import checked_files, save_attachments
from yingji.incidents.services.common import incident_transition, join, tell, timeline
from yingji.org.choices import GroupKind, PersonStatus, Scenario
from yingji.org.grades import Grade
from yingji.org.models import Person
from yingji.org.queries import group_members
from yingji.org.roles import roles_of

REPORT_FIELDS = ("location", "scope", "affected_systems", "contact")
CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead
OLDEST_REPORT = timedelta(days=366)  # what is reported now happened in the last year


@transaction.atomic
def incident_report(
    *,
    actor: Actor,
    title: str,
    category: str,
    occurred_at: datetime,
    symptoms: str,
    severity: str = "",
    exercise: bool = False,
    confidential: bool = False,
    discovered_at: datetime | None = None,
    attachments: Iterable[tuple[str, bytes]] = (),
    **details: str,
) -> Incident:
    """R-RESP-1/3: anyone reports; the judging department's head and deputy are told at once
    and must judge within YINGJI_ESCALATE_MINUTES (R-RESP-2)."""
    reporter = _active_person(actor)
    _check_report(title, category, occurred_at, symptoms, severity, details)
    files = checked_files(attachments)  # all checked before anything is saved
    if discovered_at is not None:
        checked_moment(
            discovered_at,
            "discovered_at",
            back=OLDEST_REPORT,
            ahead=timedelta(0),
            too_late=_("The time of discovery cannot be in the future."),
        )
    if discovered_at is not None and discovered_at < occurred_at:
        raise DomainError(
            _("It cannot have been discovered before it occurred."), field="discovered_at"
        )
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
        grade=severity,
        discovered_at=discovered_at,
        reported_at=now,
        escalate_by=now + timedelta(minutes=settings.ESCALATE_MINUTES),
        **{k: str(details.get(k, "")).strip() for k in REPORT_FIELDS},
    )
    timeline(incident, actor, "report", to_status=Status.REPORTED, clause="R-RESP-1")
    audit_record(
        actor=actor,
        action="incident.report",
        obj=incident,
        regulation="R-RESP-1",
        after={"title": incident.title, "category": category, "confidential": confidential},
    )
    save_attachments(incident, actor, files)
    join(incident, [reporter], "reporter")
    join(incident, triagers(incident), "triager")
    tell(incident, "incident.reported", triagers(incident), receipt=True)
    return incident


def _active_person(actor: Actor) -> Person:
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
    checked_moment(  # what is reported now happened in the last year: 0104 is a slip for 2024
        occurred_at,
        "occurred_at",
        back=OLDEST_REPORT,
        ahead=timedelta(0),
        too_early=_("The time of occurrence is more than a year ago; check the year."),
        too_late=_("The time of occurrence cannot be in the future."),
    )
    unknown = set(details) - set(REPORT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})


# ---------------------------------------------------------------- the department's judgement


@transaction.atomic  # the change and its notices commit together
def incident_escalate(*, actor: Actor, incident: Incident, note: str = "") -> Incident:
    """R-RESP-2: an emergency: reported to the leadership group, and the expert group and
    the scenario's execution group told in the same step."""
    now = timezone.now()
    incident = incident_transition(
        actor=actor,
        incident=incident,
        action="escalate",
        text=note,
        escalate_by=None,
        escalated_at=now,
    )
    _tell_escalated(incident)
    return incident


@transaction.atomic  # the change and its notices commit together
def incident_close_as_fault(*, actor: Actor, incident: Incident, reason: str) -> Incident:
    """R-RESP-2: not an emergency; an ordinary fault, handled the usual way. Say why."""
    if not reason.strip():
        raise DomainError(_("Say why this is an ordinary fault."), field="reason")
    now = timezone.now()
    incident = incident_transition(
        actor=actor,
        incident=incident,
        action="close_as_fault",
        text=reason.strip(),
        escalate_by=None,
        closed_at=now,
        close_reason=reason.strip(),
    )
    tell(incident, "incident.closed_as_fault", [incident.reporter], receipt=False)
    return incident


@transaction.atomic  # the change and its notices commit together
def incident_escalate_overdue(*, actor: Actor, incident: Incident) -> Incident:
    """The judgement is late: the engine escalates, marks it late and tells the heads."""
    incident = incident_transition(
        actor=actor,
        incident=incident,
        action="auto_escalate",
        text=ngettext(
            "No judgement within %(n)d minute.",
            "No judgement within %(n)d minutes.",
            settings.ESCALATE_MINUTES,
        )
        % {"n": settings.ESCALATE_MINUTES},
        escalate_by=None,
        escalated_at=timezone.now(),
        escalated_late=True,
    )
    _tell_escalated(incident)
    tell(incident, "incident.judgement_late", triagers(incident), receipt=False)
    return incident


def _tell_escalated(incident: Incident) -> None:
    """The leadership group and the experts; the scenario's execution group too unless it is
    confidential (a breach stays with the leadership group and the experts)."""
    people = group_members(GroupKind.LEADERSHIP) | group_members(GroupKind.EXPERT)
    join(incident, group_members(GroupKind.LEADERSHIP), "leadership")
    join(incident, group_members(GroupKind.EXPERT), "expert")
    if not incident.confidential:
        execution = group_members(GroupKind.EXECUTION, scenario=incident.category)
        people |= execution
        join(incident, execution, "execution")
    tell(incident, "incident.escalated", people.distinct(), receipt=True)
    escalated(incident)  # the people on duty are paged too (incidents.escalated)
