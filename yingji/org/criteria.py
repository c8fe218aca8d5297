"""The criteria vocabulary: conditions on an incident's facts ("core business interrupted
> 60 minutes"), written by grading rules and plans' activation criteria (R-ACT-1) and checked
the same way everywhere."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.errors import DomainError


class Fact(models.TextChoices):
    """Facts of an incident that grading rules and activation criteria are written in."""

    AFFECTED_USERS = "affected_users", gettext_lazy("affected users")
    INTERRUPTION_MINUTES = (
        "interruption_minutes",
        gettext_lazy("core business interrupted (minutes)"),
    )
    AFFECTED_REGIONS = "affected_regions", gettext_lazy("affected regions or branches")
    RECORDS_LEAKED = "records_leaked", gettext_lazy("records leaked")
    LOSS_YUAN = "loss_yuan", gettext_lazy("direct loss (yuan)")


class Operator(models.TextChoices):
    GE = ">=", "≥"
    GT = ">", ">"
    EQ = "=", "="


COMPARE: dict[str, Callable[[int, int], bool]] = {
    Operator.GE: operator.ge,
    Operator.GT: operator.gt,
    Operator.EQ: operator.eq,
}
MAX_CONDITIONS = 5


@dataclass(frozen=True)
class Condition:
    fact: str
    op: str
    threshold: int

    def holds(self, facts: Mapping[str, int | None]) -> bool:
        value = facts.get(self.fact)
        return value is not None and COMPARE[self.op](value, self.threshold)

    def __str__(self) -> str:
        return f"{Fact(self.fact).label} {Operator(self.op).label} {self.threshold:,}"

    def as_list(self) -> list[Any]:
        return [self.fact, self.op, self.threshold]


def parse_conditions(raw: Any) -> list[Condition]:
    """[[fact, operator, threshold], ...] (all must hold), checked with clear messages."""
    if not isinstance(raw, list) or not raw:
        raise DomainError(_("Give at least one condition."), field="conditions")
    if len(raw) > MAX_CONDITIONS:
        raise DomainError(
            _("At most %(n)d conditions in one rule.") % {"n": MAX_CONDITIONS}, field="conditions"
        )
    return [_parse_one(item) for item in raw]


def _parse_one(item: Any) -> Condition:
    if not isinstance(item, list | tuple) or len(item) != 3:
        raise DomainError(_("A condition is a fact, an operator and a number."), field="conditions")
    fact, op, threshold = item
    if fact not in Fact.values:
        raise DomainError(
            _("Unknown fact %(fact)s; use one of: %(known)s")
            % {"fact": fact, "known": ", ".join(Fact.values)},
            field="conditions",
        )
    if op not in COMPARE:
        raise DomainError(_("Unknown operator %(op)s.") % {"op": op}, field="conditions")
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 0:
        raise DomainError(_("A threshold is a whole number, 0 or more."), field="conditions")
    return Condition(fact, op, threshold)


def all_hold(conditions: list[Condition], facts: Mapping[str, int | None]) -> bool:
    return all(condition.holds(facts) for condition in conditions)
