"""Who may take which step on an incident (R-RESP..R-END): one predicate per step, used by
the services before they write, by the command page to show a form, and by the API through
the services. `Who` names the roles of the transitions table (choices.TRANSITIONS)."""

from __future__ import annotations

from typing import Any

from yingji.core.actors import Actor, is_system
from yingji.incidents.choices import OPEN_STATUSES, Status, Who
from yingji.incidents.models import Incident
from yingji.incidents.queries import is_participant, is_triager
from yingji.org.roles import roles_of

# Facts feed the grade and the decision (R-ACT-1): the judging department sets them while it
# judges, the leadership group and the experts while they decide and handle.
SET_FACTS = (Who.LEADER, Who.EXPERT, Who.TRIAGER)
REGRADE = (Who.LEADER, Who.EXPERT)
ADD_PARTICIPANT = (Who.LEADER, Who.EXPERT)
WRITE_HANDLING_PLAN = (Who.EXPERT,)  # R-HANDLE-1
ADD_TASK = (Who.EXPERT, Who.LEADER)


def is_open(incident: Incident) -> bool:
    return incident.status in OPEN_STATUSES


def acts_as(actor: Actor, incident: Incident, *who: str) -> bool:
    """The actor is one of `who` for this incident."""
    return any(_is(actor, incident, one) for one in who)


def can_take_part(user: Any, incident: Incident) -> bool:
    """Leadership, experts, the judging department's heads and the participants."""
    return acts_as(user, incident, Who.LEADER, Who.EXPERT, Who.TRIAGER) or (
        roles_of(user).active_person and is_participant(user, incident)
    )


def can_set_facts(user: Any, incident: Incident) -> bool:
    return is_open(incident) and acts_as(user, incident, *SET_FACTS)


def can_regrade(user: Any, incident: Incident) -> bool:
    return _past_report(incident) and acts_as(user, incident, *REGRADE)


def can_add_participant(user: Any, incident: Incident) -> bool:
    return _past_report(incident) and acts_as(user, incident, *ADD_PARTICIPANT)


def can_attach(user: Any, incident: Incident) -> bool:
    """During the response whoever takes part adds screenshots, logs and reports."""
    roles = roles_of(user)
    taking_part = roles.leadership or roles.expert or is_participant(user, incident)
    return is_open(incident) and roles.active_person and taking_part


def _past_report(incident: Incident) -> bool:
    return is_open(incident) and incident.status != Status.REPORTED


def _is(actor: Actor, incident: Incident, who: str) -> bool:
    if who == Who.ENGINE:
        return is_system(actor)
    if is_system(actor):
        return False
    if who == Who.TRIAGER:
        return is_triager(actor, incident)
    roles = roles_of(actor)
    return roles.active_person and bool(
        (who == Who.LEADER and roles.leadership) or (who == Who.EXPERT and roles.expert)
    )
