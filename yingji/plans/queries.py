"""Which plans apply to an incident, and what their activation criteria say about it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from yingji.incidents.criteria import parse_conditions
from yingji.plans.choices import Tier, VersionStatus
from yingji.plans.models import PlanVersion


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
    return [str(c) for c in parse_conditions(version.criteria) if c.holds(facts)] if (
        version.criteria) else []  # fmt: skip
