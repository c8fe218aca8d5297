"""Building assessments for the risk tests through the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from yingji.core.actors import SYSTEM
from yingji.org.models import Person
from yingji.risks import services
from yingji.risks.models import Assessment, Risk

# A complete, acceptable risk on the 5x5 matrix: passes every check.
GOOD = {
    "family": "ageing",
    "inherent_likelihood": 3,
    "inherent_impact": 3,
    "current_likelihood": 2,
    "current_impact": 3,
    "residual_likelihood": 1,
    "residual_impact": 3,
    "knowledge": "high",
    "treatment": "mitigate",
    "treatment_plan": "更换设备",
}


def open_for(department: Any, year: int = 2027, quarter: int = 1) -> Assessment:
    campaign = services.campaign_open(
        actor=SYSTEM, year=year, quarter=quarter, reason="测试", departments=[department]
    )
    return campaign.assessments.get(department=department)


def add(
    assessment: Assessment, title: str = "排队机老化", owner: Any = "any", **fields: Any
) -> Risk:
    """A risk with GOOD's values unless given; its owner any active person unless named."""
    if owner == "any":
        owner = Person.objects.filter(status="active").order_by("pk").first()
    values = {**GOOD, "title": title, "owner": owner, **fields}
    return services.risk_add(actor=SYSTEM, assessment=assessment, **values)


def complete(assessment: Assessment, owner: Any, today: date) -> None:
    """Risks of the three families the regulation names, each passing every check."""
    for family in ("ageing", "vulnerability", "disaster"):
        add(
            assessment,
            title=f"{family} 风险",
            family=family,
            owner=owner,
            treatment_due=today + timedelta(days=30),
        )
