"""Who sees and may do what in the risk assessment (R-RISK-1): department heads and their
delegates edit their department's assessment, the technology department co-edits, the
leadership group reviews and accepts, the office sees all, a vendor sees only the risks whose
treatment it was given."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yingji.core.access import one_of, require
from yingji.core.actors import is_system
from yingji.org.choices import DepartmentKind
from yingji.org.models import Department
from yingji.org.queries import head_scope
from yingji.org.roles import roles_of
from yingji.risks.choices import EDITABLE, TRANSITIONS, Status, Who
from yingji.risks.models import Assessment, Campaign, Policy, Project, Risk, RiskMatrix


def sees_all(user: Any) -> bool:
    """The office, the leadership group, the experts, administrators and the technology
    department's heads (co-assessors of every assessment)."""
    if is_system(user):
        return True
    roles = roles_of(user)
    if roles.admin or (roles.active_person and (roles.office or roles.leadership or roles.expert)):
        return True
    return bool(_technology_heads_scope(user))


def _technology_heads_scope(user: Any) -> set[int]:
    roles = roles_of(user)
    if not roles.headed_department_ids:
        return set()
    return set(
        Department.objects.filter(
            pk__in=roles.headed_department_ids, kind=DepartmentKind.TECHNOLOGY
        ).values_list("pk", flat=True)
    )


def visible_assessments(user: Any) -> QuerySet[Assessment]:
    rows = Assessment.objects.select_related("department", "co_department", "project", "matrix")
    if sees_all(user):
        return rows
    roles = roles_of(user)
    if not roles.staff:
        return rows.none()  # vendors and external experts: only their treatments (risks)
    person = roles.person
    # A subquery, not a join: a join on the delegates would repeat each row (and its counts).
    delegated = Assessment.delegates.through.objects.filter(person=person).values("assessment_id")
    return rows.filter(
        Q(department_id__in=head_scope(user))
        | Q(department_id=person.department_id)
        | Q(pk__in=delegated)
    )


def visible_risks(user: Any) -> QuerySet[Risk]:
    """Risks of the assessments the user sees, and the ones whose treatment they own."""
    rows = Risk.objects.select_related("assessment__department", "assessment__matrix", "owner")
    if sees_all(user):
        return rows
    roles = roles_of(user)
    if not roles.active_person:
        return rows.none()
    owned = Q(owner=roles.person)
    if not roles.staff:
        return rows.filter(owned)
    return rows.filter(Q(assessment__in=visible_assessments(user).values("pk")) | owned)


def get_assessment_for(user: Any, pk: Any, *, write: bool = False) -> Assessment:
    assessment = one_of(visible_assessments(user), pk)
    if write:
        require(
            can_edit(user, assessment),
            _(
                "Only the department's heads, their delegates and the technology department may "
                "edit this assessment while it is open."
            ),
        )
    return assessment


def get_risk_for(user: Any, pk: Any, *, write: bool = False) -> Risk:
    risk = one_of(visible_risks(user), pk)
    if write:
        require(
            can_edit(user, risk.assessment),
            _("Only the assessment's editors may change this risk while it is open."),
        )
    return risk


def owns(user: Any, assessment: Assessment) -> bool:
    """The department's head or deputy (or a head above it), or the co-assessing
    department's: both heads own the assessment."""
    if is_system(user):
        return True
    roles = roles_of(user)
    if roles.admin:
        return True
    if not roles.active_person or not roles.headed_department_ids:
        return False
    scope = head_scope(user)
    return assessment.department_id in scope or assessment.co_department_id in scope


def can_edit(user: Any, assessment: Assessment) -> bool:
    if assessment.status not in EDITABLE:
        return False
    if owns(user, assessment):
        return True
    roles = roles_of(user)
    return roles.active_person and assessment.delegates.filter(pk=roles.person.pk).exists()


def can_submit(user: Any, assessment: Assessment) -> bool:
    return assessment.status in EDITABLE and owns(user, assessment)


def is_leader(user: Any) -> bool:
    roles = roles_of(user)
    return is_system(user) or (roles.active_person and roles.leadership)


def can_review(user: Any, assessment: Assessment) -> bool:
    return assessment.status == Status.SUBMITTED and is_leader(user)


def can_accept(user: Any, risk: Risk) -> bool:
    return is_leader(user)


def can_manage(user: Any) -> bool:
    """Matrices, the quarterly settings and campaigns opened by hand: the office and
    administrators."""
    roles = roles_of(user)
    return is_system(user) or roles.admin or (roles.active_person and roles.office)


def allowed_actions(user: Any, assessment: Assessment) -> list[str]:
    checks = {Who.OWNER: can_submit, Who.LEADER: can_review}
    return [
        t.action
        for t in TRANSITIONS
        if t.source == assessment.status and checks[Who(t.who)](user, assessment)
    ]


def visible_matrices(user: Any) -> QuerySet[RiskMatrix]:
    return (
        RiskMatrix.objects.all()
        if roles_of(user).internal or is_system(user)
        else (RiskMatrix.objects.none())
    )


def visible_campaigns(user: Any) -> QuerySet[Campaign]:
    return (
        Campaign.objects.select_related("matrix")
        if roles_of(user).internal
        else (Campaign.objects.none())
    )


def visible_projects(user: Any) -> QuerySet[Project]:
    rows = Project.objects.select_related("department", "assessment")
    if sees_all(user):
        return rows
    roles = roles_of(user)
    if not roles.staff:
        return rows.none()
    return rows.filter(
        Q(department_id__in=head_scope(user)) | Q(department_id=roles.person.department_id)
    )


def can_manage_project(user: Any, project: Project | None = None) -> bool:
    """The office, administrators, the technology department's heads, and the heads of the
    project's department."""
    if can_manage(user) or _technology_heads_scope(user):
        return True
    if project is None:
        return bool(roles_of(user).headed_department_ids)
    return project.department_id in head_scope(user)


def get_project_for(user: Any, pk: Any, *, write: bool = False) -> Project:
    project = one_of(visible_projects(user), pk)
    if write:
        require(can_manage_project(user, project), _("You may not change this project."))
    return project


def policy() -> Policy | None:
    return Policy.objects.select_related("matrix", "co_department").first()


def overdue_assessments(user: Any, today: date) -> QuerySet[Assessment]:
    """Open assessments past their due date that this user owns or oversees."""
    rows = visible_assessments(user).filter(status__in=EDITABLE, due_date__lt=today)
    if sees_all(user):
        return rows
    return rows.filter(department_id__in=head_scope(user))


def default_co_department() -> Department | None:
    """The policy's choice, else the top technology department."""
    chosen = policy()
    if chosen is not None and chosen.co_department_id:
        return chosen.co_department
    return (
        Department.objects.filter(kind=DepartmentKind.TECHNOLOGY, active=True, parent__isnull=True)
        .order_by("sort_order", "code")
        .first()
    )
