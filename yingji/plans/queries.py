"""Which plans apply to an incident, and what their activation criteria say about it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yingji.core.access import one_of, require
from yingji.org.criteria import parse_conditions
from yingji.org.roles import roles_of
from yingji.plans.choices import TRANSITIONS, Author, Tier, VersionStatus
from yingji.plans.models import Plan, PlanVersion


def approved_for(category: str) -> QuerySet[PlanVersion]:
    """The approved versions that may be activated for this category: its special plans and
    on-site procedures, and the comprehensive plan (R-ACT-1)."""
    return (
        PlanVersion.objects.filter(status=VersionStatus.APPROVED)
        .filter(Q(plan__category=category) | Q(plan__tier=Tier.COMPREHENSIVE))
        .select_related("plan")
        .order_by("plan__tier", "plan__code")
    )


def criteria_met(version: PlanVersion, facts: dict[str, Any]) -> list[str]:
    """The version's activation criteria that the incident's facts meet (any one suffices)."""
    return (
        [str(c) for c in parse_conditions(version.criteria) if c.holds(facts)]
        if (version.criteria)
        else []
    )


def visible_plans(user: Any) -> QuerySet[Plan]:
    """Everyone inside the organisation reads the plans: they say what each group does.
    Vendors and external experts read only the plans of their groups' scenarios (R-SCOPE-2)."""
    roles = roles_of(user)
    if roles.internal:
        return Plan.objects.select_related("owner_department")
    if not roles.active_person:
        return Plan.objects.none()
    return Plan.objects.filter(category__in=roles.group_scenarios).select_related(
        "owner_department"
    )


def visible_versions(user: Any, plan: Plan) -> QuerySet[PlanVersion]:
    """Inside the organisation every version; outside it only approved ones (no drafts)."""
    versions = plan.versions.all()
    if roles_of(user).internal:
        return versions
    return versions.filter(status=VersionStatus.APPROVED)


def get_plan_for(user: Any, pk: Any, *, write: bool = False) -> Plan:
    """A plan the user may see; `write`: and edit (its authors, R-PLAN-1), else 403."""
    plan = one_of(visible_plans(user), pk)
    if write:
        from yingji.plans.services import can_act_as

        require(can_act_as(user, Author.EDITOR, plan), _("Only the plan's authors may edit it."))
    return plan


def latest_versions(plans: list[Plan]) -> dict[int, PlanVersion]:
    """Each plan's newest version, in one query."""
    newest: dict[int, PlanVersion] = {}
    for version in PlanVersion.objects.filter(plan__in=plans).order_by("plan_id", "-number"):
        newest.setdefault(version.plan_id, version)
    return newest


def allowed_actions(user: Any, version: PlanVersion) -> list[str]:
    """The steps this user may take on this version now (for the page's buttons)."""
    from yingji.plans.services import can_act_as

    return [
        m.action
        for m in TRANSITIONS
        if m.source == version.status and can_act_as(user, m.who, version.plan)
    ]


def reviews_due(user: Any, today: date, ahead: timedelta = timedelta(days=30)) -> QuerySet[Plan]:
    """R-PLAN-3 on the home page: the plans this user reviews whose review is due within a
    month or overdue (office, experts, administrators: all; a department head: their own)."""
    roles = roles_of(user)
    plans = Plan.objects.filter(review_due__lte=today + ahead).order_by("review_due", "code")
    if roles.admin or roles.office or roles.expert:
        return plans
    return plans.filter(owner_department_id__in=roles.headed_department_ids)
