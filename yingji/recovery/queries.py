"""Who sees and writes the after-phase (R-REC-1..R-REV-2): it is seen by whoever sees the
incident (a confidential one stays with its participants, everywhere); published summaries
are read by all staff; departments write their own recovery plans, groups their sections,
owners update their measures, the leadership group approves and the office sees all."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from yingji.audit.queries import register_hidden_events
from yingji.core.access import one_of, require
from yingji.core.actors import is_system
from yingji.incidents.models import Incident, Participant
from yingji.incidents.queries import visible_incidents
from yingji.org.choices import PersonStatus
from yingji.org.models import Person
from yingji.org.roles import roles_of
from yingji.recovery.choices import Author, ReportStatus
from yingji.recovery.models import (
    Measure,
    RebuildItem,
    RecoveryPlan,
    Review,
    SummaryReport,
)


def person_of(user: Any) -> Person | None:
    roles = roles_of(user)
    return roles.person if roles.active_person else None


def coordinates(user: Any) -> bool:
    """The office coordinates the after-phase (and Yingji itself, and administrators)."""
    roles = roles_of(user)
    return is_system(user) or roles.admin or (roles.active_person and roles.office)


def leads(user: Any) -> bool:
    """A member of the leadership group: approves (R-REV-1) and accepts "not doing"."""
    roles = roles_of(user)
    return roles.active_person and roles.leadership


# ---------------------------------------------------------------- seeing


def sees_register(user: Any) -> bool:
    """Staff read the improvement register; a vendor's engineer only their own measures."""
    roles = roles_of(user)
    return is_system(user) or roles.internal or roles.active_person


def visible_after_incidents(user: Any) -> QuerySet[Incident]:
    return visible_incidents(user).filter(after_phase__isnull=False)


def visible_plans(user: Any) -> QuerySet[RecoveryPlan]:
    return RecoveryPlan.objects.filter(incident__in=visible_incidents(user)).select_related(
        "incident", "department", "owner"
    )


def visible_rebuild(user: Any) -> QuerySet[RebuildItem]:
    return RebuildItem.objects.filter(incident__in=visible_incidents(user)).select_related(
        "incident", "owner"
    )


def visible_reports(user: Any) -> QuerySet[SummaryReport]:
    """The incident's readers, and all staff once published (not a confidential one)."""
    seen = Q(incident__in=visible_incidents(user))
    if roles_of(user).internal:
        seen |= Q(status=ReportStatus.PUBLISHED, incident__confidential=False)
    return SummaryReport.objects.filter(seen).select_related("incident", "owner")


def visible_reviews(user: Any) -> QuerySet[Review]:
    return Review.objects.filter(incident__in=visible_incidents(user)).select_related(
        "incident", "owner"
    )


def visible_measures(user: Any) -> QuerySet[Measure]:
    """Staff see the register; a measure from an incident only those who see the incident
    (a confidential one stays hidden); the owner always sees their own."""
    roles = roles_of(user)
    if roles.person is None and not roles.admin and not is_system(user):
        return Measure.objects.none()
    incident_seen = Q(incident__isnull=True) | Q(incident__in=visible_incidents(user))
    seen = incident_seen if (roles.internal or is_system(user)) else Q(pk__in=[])
    if roles.person is not None:
        seen |= Q(owner=roles.person)
    return Measure.objects.filter(seen).select_related("owner", "incident")


def get_plan_for(user: Any, pk: Any) -> RecoveryPlan:
    return one_of(visible_plans(user), pk)


def get_rebuild_for(user: Any, pk: Any) -> RebuildItem:
    return one_of(visible_rebuild(user), pk)


def get_report_for(user: Any, pk: Any) -> SummaryReport:
    return one_of(visible_reports(user), pk)


def get_review_for(user: Any, pk: Any) -> Review:
    return one_of(visible_reviews(user), pk)


def get_measure_for(user: Any, pk: Any) -> Measure:
    return one_of(visible_measures(user), pk)


@register_hidden_events
def hidden_audit_events(user: Any) -> Q:
    """The after-phase's events of incidents this reader may not see."""
    hidden = Incident.objects.exclude(pk__in=visible_incidents(user).values("pk"))

    def keys(model: Any) -> Any:
        rows = model.objects.filter(incident__in=hidden)
        return rows.annotate(key=Cast("pk", CharField())).values("key")

    return (
        Q(object_type="recovery.recoveryplan", object_id__in=keys(RecoveryPlan))
        | Q(object_type="recovery.rebuilditem", object_id__in=keys(RebuildItem))
        | Q(object_type="recovery.summaryreport", object_id__in=keys(SummaryReport))
        | Q(object_type="recovery.review", object_id__in=keys(Review))
        | Q(object_type="recovery.measure", object_id__in=keys(Measure))
    )


# ---------------------------------------------------------------- writing


def heads(plan: RecoveryPlan) -> list[Person]:
    department = plan.department
    return [
        p for p in (department.head, department.deputy) if p and p.status == PersonStatus.ACTIVE
    ]


def can_write_plan(user: Any, plan: RecoveryPlan) -> bool:
    """R-REC-1: the department writes its own plan (its heads and its staff); the office."""
    person = person_of(user)
    own = person is not None and (
        person in heads(plan) or person.department_id == plan.department_id
    )
    return coordinates(user) or own


def can_approve_plan(user: Any, plan: RecoveryPlan) -> bool:
    """R-REC-1: approved by the department head (or deputy)."""
    return person_of(user) in heads(plan)


def can_update_step(user: Any, plan: RecoveryPlan, owner_id: int) -> bool:
    person = person_of(user)
    return can_write_plan(user, plan) or (person is not None and person.pk == owner_id)


def technical(user: Any) -> bool:
    """R-REC-2: the technology department and the experts own the rebuild."""
    roles = roles_of(user)
    if not roles.active_person:
        return coordinates(user)
    tech = roles.person.department is not None and roles.person.department.kind == "technology"
    return coordinates(user) or roles.expert or roles.leadership or (tech and roles.staff)


def can_write_rebuild(user: Any, item: RebuildItem | None = None) -> bool:
    person = person_of(user)
    return technical(user) or (
        item is not None and person is not None and item.owner_id == person.pk
    )


def authors_of(user: Any, report: SummaryReport) -> set[str]:
    """The sections' authors this user writes for (R-REV-1); the office writes for all."""
    roles = roles_of(user)
    if coordinates(user):
        return set(Author.values)
    if not roles.active_person:
        return set()
    mine: set[str] = set()
    if roles.leadership:
        mine.add(Author.LEADERSHIP)
    if roles.expert:
        mine.add(Author.EXPERT)
    incident = report.incident
    executing = roles.executor and incident.category in roles.group_scenarios
    if (
        executing
        or Participant.objects.filter(
            incident=incident, person=roles.person, role__in=["execution", "assignee"]
        ).exists()
    ):
        mine.add(Author.EXECUTION)
    if (
        RecoveryPlan.objects.filter(incident=incident)
        .filter(Q(department__head=roles.person) | Q(department__deputy=roles.person))
        .exists()
    ):
        mine.add(Author.DEPARTMENTS)
    if mine:
        mine.add(Author.ALL)
    return mine


def can_steer_report(user: Any, report: SummaryReport) -> bool:
    """Sends the report to review: its owner, the leadership group, the office."""
    person = person_of(user)
    return coordinates(user) or leads(user) or (person is not None and person.pk == report.owner_id)


def can_hold_review(user: Any, review: Review) -> bool:
    person = person_of(user)
    return coordinates(user) or leads(user) or (person is not None and person.pk == review.owner_id)


def can_raise_measure(user: Any) -> bool:
    """The office, the leadership and expert groups, department heads."""
    roles = roles_of(user)
    return coordinates(user) or (
        roles.active_person and (roles.leadership or roles.expert or roles.department_head)
    )


def owns(user: Any, measure: Measure) -> bool:
    person = person_of(user)
    return person is not None and measure.owner_id == person.pk


def can_work_on(user: Any, measure: Measure) -> bool:
    return owns(user, measure) or coordinates(user)


def can_verify(user: Any, measure: Measure) -> bool:
    """Someone other than the person who did it: the office or the leadership group."""
    return (coordinates(user) or leads(user)) and not owns(user, measure)


def require_coordinator(user: Any) -> None:
    require(coordinates(user), _("Only the leadership group office may do this."))
