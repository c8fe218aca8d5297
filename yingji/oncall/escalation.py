"""Escalation (R-MON-2 and the 24-hour duty it implies): an incoming alert goes to the
engineer on duty first, and to the next person when nobody acknowledges in time. Each alert
carries a snapshot of its policy and a due-time; acknowledging (认领) stops it, resolving ends
it. The engine runs due steps (passes.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import Actor
from yingji.core.errors import DomainError
from yingji.engine.services import register_timer_handler, timer_schedule
from yingji.engine.wakeup import wake_engines
from yingji.notify.models import Channel
from yingji.notify.services import notify
from yingji.oncall.choices import EscalationEnd, StepTarget
from yingji.oncall.models import (
    ContactRule,
    Escalation,
    EscalationPolicy,
    EscalationStep,
    Roster,
)
from yingji.oncall.services import on_duty_person, require_manager
from yingji.org.choices import GroupKind
from yingji.org.models import Person
from yingji.org.queries import group_members

MAX_STEPS, MAX_DELAY, MAX_REPEAT = 10, 24 * 60, 9
IncomingAlert = Any  # intake's alert: intake sits above on-call and hands its alerts down
TARGET_MODELS: dict[str, Any] = {
    StepTarget.ROSTER: Roster,
    StepTarget.PERSON: Person,
    StepTarget.CHANNEL: Channel,
}


def _checked_step(index: int, raw: dict[str, Any]) -> EscalationStep:
    target = raw.get("target")
    if target not in StepTarget.values:
        raise DomainError(
            _("Step %(n)d: choose whom it notifies.") % {"n": index + 1}, field="steps"
        )
    delay = raw.get("delay_minutes", 0)
    if not isinstance(delay, int) or not 0 <= delay <= MAX_DELAY:
        raise DomainError(
            _("Step %(n)d: the delay is 0 to 1440 minutes.") % {"n": index + 1}, field="steps"
        )
    chosen = raw.get(target)
    model = TARGET_MODELS[target]
    if not isinstance(chosen, model):
        chosen = model.objects.filter(pk=chosen).first() if isinstance(chosen, int) else None
    if chosen is None or (target == StepTarget.PERSON and chosen.status != "active"):
        raise DomainError(
            _("Step %(n)d: the roster, person or channel does not exist.") % {"n": index + 1},
            field="steps",
        )
    return EscalationStep(
        position=index, delay_minutes=delay, target=target, **{str(target): chosen}
    )


@transaction.atomic
def policy_create(
    *, actor: Actor, name: str, steps: Sequence[dict[str, Any]], repeat: int = 0
) -> EscalationPolicy:
    """Steps in order, each `{"delay_minutes", "target": "roster"|"person"|"channel",
    <target>: object or id}`; the whole list is repeated `repeat` more times."""
    require_manager(actor)
    name = name.strip()
    if not name or EscalationPolicy.objects.filter(name=name).exists():
        raise DomainError(_("Give the policy a name of its own."), field="name")
    if not 1 <= len(steps) <= MAX_STEPS:
        raise DomainError(_("A policy has 1 to 10 steps."), field="steps")
    if not 0 <= repeat <= MAX_REPEAT:
        raise DomainError(_("Repeat the steps 0 to 9 times."), field="repeat")
    checked = [_checked_step(i, dict(raw)) for i, raw in enumerate(steps)]
    policy = EscalationPolicy.objects.create(name=name[:120], repeat=repeat)
    for step in checked:
        step.policy = policy
    EscalationStep.objects.bulk_create(checked)
    audit_record(
        actor=actor,
        action="oncall.policy.create",
        obj=policy,
        regulation="R-MON-2",
        after={"steps": len(checked), "repeat": repeat},
    )
    return policy


def snapshot(policy: EscalationPolicy) -> list[dict[str, Any]]:
    return [
        {
            "delay": s.delay_minutes,
            "target": s.target,
            "id": s.roster_id or s.person_id or s.channel_id,
        }
        for s in policy.steps.order_by("position")
    ]


def escalations_start(
    *, alerts: Sequence[IncomingAlert], policy: EscalationPolicy, now: datetime
) -> int:
    """New alerts set off on the policy as it is now (one query for the steps, one insert)."""
    steps = snapshot(policy)
    if not alerts or not steps:
        return 0
    first = now + timedelta(minutes=steps[0]["delay"])
    Escalation.objects.bulk_create(
        [
            Escalation(
                alert=alert,
                policy_name=policy.name,
                steps=steps,
                repeat=policy.repeat,
                next_at=first,
            )
            for alert in alerts
        ],
        batch_size=500,
    )
    transaction.on_commit(wake_engines)
    return len(alerts)


def escalation_hold(*, alert: IncomingAlert, until: datetime) -> bool:
    """Snooze: the next step waits until `until` at the earliest. False when no escalation
    is under way (none, or it ended)."""
    escalation = Escalation.objects.select_for_update().filter(alert=alert, ended="").first()
    if escalation is None or escalation.next_at is None:
        return False
    if escalation.next_at < until:
        Escalation.objects.filter(pk=escalation.pk).update(next_at=until)
    return True


def escalations_stop(*, alert_ids: Sequence[int], why: str) -> int:
    """Acknowledged or resolved: no further step runs (a step already running finishes)."""
    return Escalation.objects.filter(alert_id__in=alert_ids, ended="").update(
        next_at=None, ended=why
    )


def escalation_shown(alert: IncomingAlert) -> dict[str, Any] | None:
    """The alert's escalation for its page: the policy, who was paged when, what is next."""
    escalation = Escalation.objects.filter(alert=alert).first()
    if escalation is None:
        return None
    ids = {p for record in escalation.told for p in record.get("people", [])}
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    told = [
        {
            "at": datetime.fromisoformat(r["at"]),
            "step": r["step"] + 1,
            "round": r["round"] + 1,
            "people": [names.get(p, "?") for p in r.get("people", [])],
            "nobody_on_duty": r.get("nobody_on_duty", False),
        }
        for r in escalation.told
    ]
    return {
        "policy": escalation.policy_name,
        "told": told,
        "next_at": escalation.next_at,
        "next_step": escalation.step + 1,
        "ended": escalation.get_ended_display(),
    }


def paged_people(alert: IncomingAlert) -> set[int]:
    """Everyone the alert's escalation has notified so far (they may acknowledge it)."""
    told = Escalation.objects.filter(alert=alert).values_list("told", flat=True).first() or []
    return {person for record in told for person in record.get("people", [])}


def escalation_run(*, escalation: Escalation, now: datetime) -> bool:
    """Run the due step, then schedule the next one (or the next round, or the end).
    Releases the claim; False when the escalation had ended meanwhile."""
    with transaction.atomic():
        current = (
            Escalation.objects.select_for_update()
            .select_related("alert__integration")
            .get(pk=escalation.pk)
        )
        if current.ended or current.claim_token != escalation.claim_token:
            Escalation.objects.filter(pk=current.pk, claim_token=escalation.claim_token).update(
                claim_token="", lease_until=None
            )
            return False
        step = current.steps[current.step]
        current.told = [*current.told, _notify_step(current, step, now)]
        _advance(current, now)
        current.claim_token, current.lease_until = "", None
        current.save(
            update_fields=[
                "told",
                "step",
                "round",
                "next_at",
                "ended",
                "claim_token",
                "lease_until",
            ]
        )
    return True


def _advance(escalation: Escalation, now: datetime) -> None:
    following = escalation.step + 1
    if following >= len(escalation.steps):
        if escalation.round >= escalation.repeat:
            escalation.next_at, escalation.ended = None, EscalationEnd.EXHAUSTED
            return
        escalation.round += 1
        following = 0
    escalation.step = following
    # a repeated round waits at least a minute, so a policy of zero delays cannot spin
    delay = escalation.steps[following]["delay"] or (1 if following == 0 else 0)
    escalation.next_at = now + timedelta(minutes=delay)


def _notify_step(escalation: Escalation, step: dict[str, Any], now: datetime) -> dict[str, Any]:
    alert = escalation.alert
    record: dict[str, Any] = {
        "step": escalation.step,
        "round": escalation.round,
        "at": now.isoformat(),
    }
    people: list[Person] = []
    channels: list[Channel] = []
    if step["target"] == StepTarget.ROSTER:
        roster = Roster.objects.filter(pk=step["id"]).first()
        person = on_duty_person(roster, now) if roster else None
        if person is None:  # nobody on duty: the emergency office is the safety net
            people, record["nobody_on_duty"] = list(group_members(GroupKind.OFFICE)), True
        else:
            people = [person]
    elif step["target"] == StepTarget.PERSON:
        people = list(Person.objects.filter(pk=step["id"]))
    else:
        channels = list(Channel.objects.filter(pk=step["id"], enabled=True))
    record["people"] = [p.pk for p in people]
    record["channels"] = [c.pk for c in channels]
    context = _page_context(escalation)
    key = f"escalation:{escalation.pk}:{escalation.round}:{escalation.step}"
    for index, (own, group) in enumerate(_by_contact_rule(people, alert.urgency)):
        notify(
            event="oncall.page",
            recipients=group,
            channels=channels if index == 0 else (),
            context=context,
            link=f"/intake/alerts/{alert.pk}/",
            key=key if index == 0 else f"{key}:{index}",
            personal_channels=own,
        )
    _schedule_next_channels(escalation, people, now, key)
    return record


def _page_context(escalation: Escalation) -> dict[str, Any]:
    alert = escalation.alert
    return {
        "summary": alert.summary[:200],
        "integration": alert.integration.name,
        "urgency": alert.urgency,
        "step": escalation.step + 1,
        "steps": len(escalation.steps),
        "round": escalation.round + 1,
        "since": timezone.localtime(alert.started_at).strftime("%m-%d %H:%M"),
    }


PAGE_AGAIN = "oncall.page_again"


def _schedule_next_channels(
    escalation: Escalation, people: list[Person], now: datetime, key: str
) -> None:
    """A person whose rule names next channels is paged on them later, unless the alert has
    been acknowledged or resolved by then (a durable engine timer, page_again)."""
    rules = ContactRule.objects.filter(
        person__in=people, urgency=escalation.alert.urgency, then_minutes__gt=0
    ).prefetch_related("then_channels")
    for rule in rules:
        channels = [c.pk for c in rule.then_channels.all() if c.enabled and c.personal]
        if channels:
            timer_schedule(
                key=f"{key}:then:{rule.person_id}",
                handler=PAGE_AGAIN,
                due_at=now + timedelta(minutes=rule.then_minutes),
                payload={
                    "escalation": escalation.pk,
                    "person": rule.person_id,
                    "channels": channels,
                    "key": key,
                },
            )


@register_timer_handler(PAGE_AGAIN)
def page_again(payload: dict[str, Any]) -> None:
    """The next channels of a person's contact rule, if nobody has acknowledged yet."""
    escalation = (
        Escalation.objects.select_related("alert__integration")
        .filter(pk=int(payload.get("escalation") or 0))
        .first()
    )
    if escalation is None or escalation.alert.state != "triggered":
        return
    person = Person.objects.filter(pk=int(payload.get("person") or 0), status="active").first()
    channels = list(
        Channel.objects.filter(pk__in=payload.get("channels", []), enabled=True, personal=True)
    )
    if person is None or not channels:
        return
    notify(
        event=PAGE_AGAIN,
        recipients=[person],
        context=_page_context(escalation),
        link=f"/intake/alerts/{escalation.alert_id}/",
        personal_channels=channels,
        key=f"{payload.get('key')}:again:{person.pk}",
    )


def _by_contact_rule(
    people: list[Person], urgency: str
) -> list[tuple[list[Channel] | None, list[Person]]]:
    """People grouped by their own rule for this severity (None: every personal channel).
    Always at least one group, so group channels are posted to even with nobody."""
    rules = {
        r.person_id: list(r.channels.filter(enabled=True, personal=True))
        for r in ContactRule.objects.filter(person__in=people, urgency=urgency).prefetch_related(
            "channels"
        )
    }
    groups: dict[tuple[int, ...] | None, tuple[list[Channel] | None, list[Person]]] = {}
    for person in people:
        own = rules.get(person.pk)
        marker = None if own is None else tuple(c.pk for c in own)
        groups.setdefault(marker, (own, []))[1].append(person)
    return list(groups.values()) or [(None, [])]
