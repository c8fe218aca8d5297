"""The grading table and the incident's grade and facts: a grade can be raised or lowered at
any time, always with a reason on the timeline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record, audited_update
from yingji.core.actors import Actor
from yingji.core.errors import DomainError
from yingji.incidents.access import REGRADE, SET_FACTS
from yingji.incidents.models import GradingRule, Incident
from yingji.incidents.services.common import check_open, check_who, participants_of, tell, timeline
from yingji.org.criteria import Fact, parse_conditions
from yingji.org.grades import Grade
from yingji.org.queries import require_org_manager

MAX_FACT = 10**15


def grade_for(facts: Mapping[str, int | None]) -> tuple[str | None, list[str]]:
    """The most severe grade whose rule holds for these facts, and every rule that held."""
    best: str | None = None
    matched: list[str] = []
    for rule in GradingRule.objects.all():
        conditions = rule.parsed()
        if all(condition.holds(facts) for condition in conditions):
            text = " & ".join(str(condition) for condition in conditions)
            matched.append(f"{rule.grade}: {text}")
            if best is None or Grade.values.index(rule.grade) < Grade.values.index(best):
                best = rule.grade
    return best, matched


@transaction.atomic
def grading_rule_save(
    *, actor: Actor, rule: GradingRule | None, grade: str, conditions: Any, note: str = ""
) -> GradingRule:
    require_org_manager(actor)
    if grade not in Grade.values:
        raise DomainError(_("Choose a grade from the list."), field="grade")
    parsed = parse_conditions(conditions)
    new = rule is None
    rule = rule or GradingRule()
    rule.grade, rule.note = grade, note.strip()[:200]
    rule.conditions = [condition.as_list() for condition in parsed]
    rule.save(update_fields=None if new else ["grade", "note", "conditions"])
    audit_record(
        actor=actor,
        action="incident.grading_rule.save",
        obj=rule,
        after={"grade": grade, "conditions": rule.conditions},
    )
    return rule


@transaction.atomic
def grading_rule_delete(*, actor: Actor, rule: GradingRule) -> None:
    require_org_manager(actor)
    audit_record(
        actor=actor,
        action="incident.grading_rule.delete",
        obj=rule,
        before={"grade": rule.grade, "conditions": rule.conditions},
    )
    rule.delete()


@transaction.atomic
def incident_set_facts(*, actor: Actor, incident: Incident, **facts: Any) -> Incident:
    """The facts the rules read (users affected, minutes of interruption, ...); the
    suggested grade follows, the grade itself changes only by a person's decision."""
    check_who(actor, incident, *SET_FACTS)
    check_open(incident)
    changes = {name: _fact(name, value) for name, value in facts.items()}
    changed = audited_update(
        actor=actor,
        instance=incident,
        changes=changes,
        action="incident.facts",
        regulation="R-ACT-1",
        validate=False,  # each fact checked above
    )
    if changed:
        text = "; ".join(
            f"{Fact(name).label}: {changes[name] if changes[name] is not None else '—'}"
            for name in changed
        )
        timeline(incident, actor, "facts", text=text)
    return incident


def _fact(name: str, value: Any) -> int | None:
    if name not in Fact.values:
        raise DomainError(_("Unknown fact %(fact)s.") % {"fact": name}, field=name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Give a whole number."), field=name) from None
    if not 0 <= number < MAX_FACT or isinstance(value, bool | float):
        raise DomainError(_("Give a whole number, 0 or more."), field=name)
    return number


@transaction.atomic
def incident_regrade(*, actor: Actor, incident: Incident, grade: str, reason: str) -> Incident:
    """Raise or lower the grade, with the reason on the timeline and told to participants."""
    check_who(actor, incident, *REGRADE)
    check_open(incident)
    if grade not in Grade.values:
        raise DomainError(_("Choose a grade from the list."), field="grade")
    if not reason.strip():
        raise DomainError(_("Say why the grade changes."), field="reason")
    before = incident.grade
    if grade == before:
        raise DomainError(_("The incident already has this grade."), field="grade")
    updated = Incident.objects.filter(pk=incident.pk, grade=before).update(grade=grade)
    if updated != 1:
        raise DomainError(_("Someone else has just changed this incident."), code="conflict")
    incident.grade = grade
    text = f"{before or '—'} → {grade}: {reason.strip()}"
    entry = timeline(incident, actor, "regrade", text=text)
    audit_record(
        actor=actor,
        action="incident.regrade",
        obj=incident,
        reason=reason.strip(),
        before={"grade": before},
        after={"grade": grade},
    )
    tell(
        incident,
        "incident.regraded",
        participants_of(incident),
        receipt=False,
        key=str(entry.pk),
        before=before or "—",
        reason=reason.strip(),
    )
    return incident
