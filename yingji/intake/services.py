"""Alerts from the monitoring a company already runs (R-MON-2: "the monitoring system alerts
the operations staff automatically"): integrations and their keys, the deduplicating upsert
every payload goes through, and what people do with an alert (认领, resolve)."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Count, F, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import is_system
from yingji.core.errors import AccessDenied, DomainError
from yingji.incidents.queries import group_members
from yingji.intake.choices import OPEN_STATES, AlertState, IntegrationKind
from yingji.intake.formats import ACKNOWLEDGE, RESOLVE, TRIGGER, Event, checked_mapping
from yingji.intake.matchers import all_match, parse_matchers
from yingji.intake.models import IncomingAlert, InhibitRule, IntakeSilence, Integration, Route
from yingji.monitoring.services.assets import may_manage, require_manager
from yingji.notify.services import notify
from yingji.oncall.escalation import (
    escalation_hold,
    escalations_start,
    escalations_stop,
    paged_people,
)
from yingji.org.choices import GroupKind
from yingji.org.roles import roles_of

KEY_PREFIX = "yjk_"
HEARTBEAT_KEY = "heartbeat"
NOTICE_LIST = 10  # alerts named in one grouped notice


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def integration_for_key(key: str, kind: str) -> Integration | None:
    if not key or len(key) > 200:
        return None
    return Integration.objects.filter(key_hash=key_hash(key.strip()), kind=kind,
                                      active=True).first()  # fmt: skip


def _new_key() -> str:
    # 32 characters in all, the length PagerDuty's own routing keys have, so tools that
    # check the length accept it
    return KEY_PREFIX + secrets.token_hex(14)


@transaction.atomic
def integration_create(
    *, actor: Any, name: str, kind: str, responsible: Sequence[Any] = (),
    escalation_policy: Any = None, heartbeat_seconds: int | None = None, mapping: Any = None,
) -> tuple[Integration, str]:  # fmt: skip
    """A sending system gets its own key, shown this once (only its hash is kept)."""
    require_manager(actor)
    name = name.strip()
    if not name or len(name) > 120:
        raise DomainError(_("Give the integration a name (at most 120 characters)."), field="name")
    if kind not in IntegrationKind.values:
        kinds = ", ".join(IntegrationKind.values)
        raise DomainError(_("Choose a kind: %(kinds)s.") % {"kinds": kinds}, field="kind")
    if Integration.objects.filter(name=name).exists():
        raise DomainError(_("An integration with this name exists."), field="name")
    heartbeat_seconds = _checked_heartbeat(kind, heartbeat_seconds)
    mapping = checked_mapping(mapping) if kind == IntegrationKind.GENERIC else {}
    key = _new_key()
    integration = Integration.objects.create(
        name=name, kind=kind, key_hash=key_hash(key), key_hint=key[-4:],
        escalation_policy=escalation_policy, heartbeat_seconds=heartbeat_seconds, mapping=mapping,
        # the first ping is awaited for one interval from now
        next_beat_due_at=timezone.now() + timedelta(seconds=heartbeat_seconds)
        if heartbeat_seconds else None,
    )  # fmt: skip
    integration.responsible.set(responsible)
    audit_record(actor=actor, action="intake.integration.create", obj=integration,
                 regulation="R-MON-2", after={"name": name, "kind": kind})  # fmt: skip
    return integration, key


HEARTBEAT_RANGE = (60, 7 * 24 * 3600)


def _checked_heartbeat(kind: str, seconds: int | None) -> int | None:
    if kind != IntegrationKind.HEARTBEAT:
        return None
    if seconds is None or not HEARTBEAT_RANGE[0] <= seconds <= HEARTBEAT_RANGE[1]:
        raise DomainError(_("A heartbeat is due every 60 seconds to 7 days."),
                          field="heartbeat_seconds")  # fmt: skip
    return seconds


@transaction.atomic
def heartbeat_received(*, integration: Integration, now: datetime) -> None:
    """A ping: the next one is due an interval from now, and a missed-heartbeat alert
    resolves."""
    seconds = integration.heartbeat_seconds or HEARTBEAT_RANGE[0]
    Integration.objects.filter(pk=integration.pk).update(
        last_received_at=now, next_beat_due_at=now + timedelta(seconds=seconds)
    )
    if IncomingAlert.objects.filter(integration=integration, dedup_key=HEARTBEAT_KEY,
                                    state__in=OPEN_STATES).exists():  # fmt: skip
        _apply(integration, [Event(action=RESOLVE, key=HEARTBEAT_KEY, at=now)], now)


def heartbeat_missed(*, integration: Integration, due: datetime, now: datetime) -> bool:
    """Open the missed-heartbeat alert, once per missed ping: whoever moves the due time
    from `due` to nothing owns the miss (so two engines never open it twice)."""
    with transaction.atomic():
        if not Integration.objects.filter(pk=integration.pk, next_beat_due_at=due).update(
            next_beat_due_at=None
        ):
            return False
        last = integration.last_received_at
        since = timezone.localtime(last).strftime("%m-%d %H:%M:%S") if last else "—"
        summary = _("%(name)s: no heartbeat since %(since)s") % {"name": integration.name,
                                                                  "since": since}  # fmt: skip
        event = Event(action=TRIGGER, key=HEARTBEAT_KEY, summary=summary,
                      urgency="critical", source=integration.name, at=due)  # fmt: skip
        _apply(integration, [event], now)
    return True


@transaction.atomic
def integration_new_key(*, actor: Any, integration: Integration) -> str:
    """A new key; the old one stops working at once."""
    require_manager(actor)
    key = _new_key()
    integration.key_hash, integration.key_hint = key_hash(key), key[-4:]
    integration.save(update_fields=["key_hash", "key_hint"])
    audit_record(actor=actor, action="intake.integration.new_key", obj=integration)
    return key


# ---- the upsert every payload goes through ----

UPDATED = ("state", "summary", "urgency", "source", "labels", "details", "link",
           "last_received_at", "times_received", "acknowledged_at", "resolved_at")  # fmt: skip


def alerts_apply(*, integration: Integration, events: list[Event],
                 now: datetime) -> list[tuple[Event, IncomingAlert | None]]:  # fmt: skip
    """Apply a payload's events in order, in one transaction: a trigger opens the key's alert
    or refreshes the open one; acknowledge and resolve change the open one, and are ignored
    for a key with no open alert. Concurrent senders meet at the one-open-alert constraint;
    the loser retries against the winner's rows."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _apply(integration, events, now)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _apply(integration: Integration, events: list[Event],
           now: datetime) -> list[tuple[Event, IncomingAlert | None]]:  # fmt: skip
    keys = {e.key for e in events if e.key}
    open_by_key = {
        a.dedup_key: a
        for a in IncomingAlert.objects.filter(
            integration=integration, dedup_key__in=keys, state__in=OPEN_STATES
        )  # fmt: skip
    }
    as_loaded = {a.pk: _content(a) for a in open_by_key.values()}
    created: list[IncomingAlert] = []
    changed: dict[int, IncomingAlert] = {}
    outcome: list[tuple[Event, IncomingAlert | None]] = []
    resolved: list[IncomingAlert] = []
    for event in events:
        if event.action == TRIGGER and not event.key:
            event.key = uuid.uuid4().hex  # PagerDuty: a trigger without a key is always new
        alert = open_by_key.get(event.key or "")
        if event.action == TRIGGER:
            if alert is None:
                alert = _new_alert(integration, event, now)
                created.append(alert)
                open_by_key[alert.dedup_key] = alert
            else:
                _refresh(alert, event, now)
        elif alert is None:
            outcome.append((event, None))
            continue
        elif event.action == ACKNOWLEDGE and alert.state == AlertState.TRIGGERED:
            alert.state, alert.acknowledged_at = AlertState.ACKNOWLEDGED, now
        elif event.action == RESOLVE:
            alert.state, alert.resolved_at = AlertState.RESOLVED, event.at or now
            alert.last_received_at = now
            del open_by_key[alert.dedup_key]
            if alert.pk:  # one opened and closed within this payload told nobody
                resolved.append(alert)
        if alert.pk:
            changed[alert.pk] = alert
        outcome.append((event, alert))
    pages = _route_and_silence(integration, [a for a in created if a.state != AlertState.RESOLVED],
                               now)  # fmt: skip
    _insert(created)
    _write_changes([a for a in changed.values() if _content(a) != as_loaded[a.pk]])
    _write_repeats([a for a in changed.values() if _content(a) == as_loaded[a.pk]])
    Integration.objects.filter(pk=integration.pk).update(last_received_at=now)
    opened = []
    for policy, alerts in pages:
        if policy is None:
            opened += alerts
        else:  # the policy pages the people on duty, step by step
            escalations_start(alerts=alerts, policy=policy, now=now)
    _stop_escalations(changed.values())
    _tell(integration, opened, resolved)
    return outcome


def _match_labels(alert: IncomingAlert) -> dict[str, str]:
    """What routes and silences match: the sender's labels, plus severity and source."""
    return {"severity": alert.urgency, "source": alert.source, **alert.labels}


def _route_and_silence(integration: Integration, alerts: list[IncomingAlert],
                       now: datetime) -> list[tuple[Any, list[IncomingAlert]]]:  # fmt: skip
    """Mark new alerts a silence covers, apply the first matching route's severity, and say
    which policy pages the rest (None: told once per payload). Routes and silences are read
    once per payload."""
    if not alerts:
        return []
    scope = Q(integration=integration) | Q(integration__isnull=True)
    silences = [parse_matchers(s.matchers) for s in IntakeSilence.objects.filter(
        scope, starts_at__lte=now, ends_at__gt=now)]  # fmt: skip
    ordered = (
        Route.objects.filter(scope)
        .select_related("escalation_policy")
        .order_by(F("integration").asc(nulls_last=True), "position", "pk")
    )  # the integration's own first
    routes = [(parse_matchers(r.matchers), r) for r in ordered]
    by_policy: dict[Any, list[IncomingAlert]] = {}
    default = integration.escalation_policy
    inhibitions = [(parse_matchers(r.source), parse_matchers(r.target), r.equal)
                   for r in InhibitRule.objects.all()[:100]]  # fmt: skip
    for alert in alerts:
        labels = _match_labels(alert)
        route = next((r for matchers, r in routes if all_match(matchers, labels)), None)
        if route is not None and route.urgency:
            alert.urgency = route.urgency
        if any(all_match(matchers, labels) for matchers in silences) or _inhibited(
            labels, inhibitions, alerts
        ):
            alert.silenced = True
            continue
        policy = route.escalation_policy if route and route.escalation_policy else default
        by_policy.setdefault(policy, []).append(alert)
    return list(by_policy.items())


def _inhibited(labels: dict[str, str], rules: list[tuple[Any, Any, list[str]]],
               new: list[IncomingAlert]) -> bool:  # fmt: skip
    """Is an open alert (stored, or new in this payload) the source of a rule this alert is a
    target of, with the same values of the rule's `equal` labels? The stored candidates are
    narrowed in SQL by those values."""
    for source, target, equal in rules:
        if not all_match(target, labels) or all_match(source, labels):
            continue
        same = {name: labels.get(name, "") for name in equal}

        def mutes(alert: IncomingAlert, same: dict[str, str] = same, source: Any = source) -> bool:
            theirs = _match_labels(alert)
            return all_match(source, theirs) and all(theirs.get(k, "") == v
                                                      for k, v in same.items())  # fmt: skip

        if any(mutes(a) for a in new):
            return True
        by_equal = {f"labels__{k}": v for k, v in same.items()}
        stored = IncomingAlert.objects.filter(state__in=OPEN_STATES, silenced=False, **by_equal)
        if any(mutes(a) for a in stored.order_by("-pk")[:50]):
            return True
    return False


@transaction.atomic
def inhibit_rule_create(*, actor: Any, source: Sequence[str], target: Sequence[str],
                        equal: Sequence[str] = (), reason: str = "") -> InhibitRule:  # fmt: skip
    require_manager(actor)
    parse_matchers(source)
    parse_matchers(target)
    if len(equal) > 10 or not all(isinstance(n, str) and n.isidentifier() for n in equal):
        raise DomainError(_("Equal labels are up to 10 label names."), field="equal")
    rule = InhibitRule.objects.create(source=[m.strip() for m in source if m.strip()],
                                      target=[m.strip() for m in target if m.strip()],
                                      equal=list(equal), reason=reason.strip()[:300])  # fmt: skip
    after = {"source": rule.source, "target": rule.target, "equal": rule.equal}
    audit_record(actor=actor, action="intake.inhibit.create", obj=rule, after=after)
    return rule


def _stop_escalations(alerts: Any) -> None:
    """A sender's acknowledge or resolve stops its alerts' escalations too."""
    for state, why in ((AlertState.ACKNOWLEDGED, "acknowledged"), (AlertState.RESOLVED,
                                                                    "resolved")):  # fmt: skip
        ids = [a.pk for a in alerts if a.state == state]
        if ids:
            escalations_stop(alert_ids=ids, why=why)


def _new_alert(integration: Integration, event: Event, now: datetime) -> IncomingAlert:
    return IncomingAlert(
        integration=integration, dedup_key=event.key or "", summary=event.summary,
        urgency=event.urgency, source=event.source, labels=event.labels, details=event.details,
        link=event.link, started_at=event.at or now, last_received_at=now,
    )  # fmt: skip


def _refresh(alert: IncomingAlert, event: Event, now: datetime) -> None:
    """A repeat of an open alert: the newest text and details, one more time received. An
    acknowledged alert stays acknowledged (PagerDuty keeps it so too)."""
    alert.summary, alert.urgency, alert.source = event.summary, event.urgency, event.source
    alert.labels, alert.details, alert.link = event.labels, event.details, event.link
    alert.last_received_at = now
    alert.times_received += 1


CONTENT = ("state", "summary", "urgency", "source", "labels", "details", "link",
           "acknowledged_at", "resolved_at")  # fmt: skip
INSERTED = ("integration_id", "dedup_key", "state", "summary", "urgency", "source", "labels",
            "details", "link", "started_at", "last_received_at", "times_received",
            "acknowledged_at", "resolved_at", "silenced", "noise_reason")  # fmt: skip


def _content(alert: IncomingAlert) -> tuple[Any, ...]:
    return tuple(getattr(alert, name) for name in CONTENT)


def _insert(alerts: list[IncomingAlert]) -> None:
    """New alerts in one multi-row INSERT … RETURNING id per 500 (bulk_create spends most of
    a payload's time preparing model instances; the ids come back in row order, which
    Django's own bulk_create relies on too)."""
    if not alerts:
        return
    by_name = {f.attname: f for f in IncomingAlert._meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(by_name[name].column) for name in INSERTED)
    table = quote(IncomingAlert._meta.db_table)
    row = "(" + ", ".join(["%s"] * len(INSERTED)) + ")"
    adapt = connection.ops.adapt_datetimefield_value
    for start in range(0, len(alerts), 500):
        chunk = alerts[start : start + 500]
        values = [value for a in chunk for value in _inserted_values(a, adapt)]
        sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(chunk))} RETURNING id"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            for alert, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                alert.pk = pk
                alert._state.adding = False


def _inserted_values(alert: IncomingAlert, adapt: Any) -> tuple[Any, ...]:
    """The row in INSERTED's order, adapted once here rather than field by field."""
    return (alert.integration_id, alert.dedup_key, alert.state, alert.summary, alert.urgency,
            alert.source, json.dumps(alert.labels, ensure_ascii=False),
            json.dumps(alert.details, ensure_ascii=False), alert.link, adapt(alert.started_at),
            adapt(alert.last_received_at), alert.times_received, adapt(alert.acknowledged_at),
            adapt(alert.resolved_at), alert.silenced, alert.noise_reason)  # fmt: skip


def _write_repeats(alerts: list[IncomingAlert]) -> None:
    """Alerts resent unchanged (Alertmanager's repeat_interval, a group resend): only when
    and how often they were received."""
    if not alerts:
        return
    table = connection.ops.quote_name(IncomingAlert._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET last_received_at = %s, times_received = %s WHERE id = %s",  # noqa: S608
            [(adapt(a.last_received_at), a.times_received, a.pk) for a in alerts],
        )


def _write_changes(alerts: list[IncomingAlert]) -> None:
    """One prepared UPDATE run over all rows (bulk_update's CASE per column is many times
    slower at a hundred rows)."""
    if not alerts:
        return
    by_name = {f.name: f for f in IncomingAlert._meta.concrete_fields}
    fields = [by_name[name] for name in UPDATED]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    table = quote(IncomingAlert._meta.db_table)
    rows = [[f.get_db_prep_save(getattr(a, f.attname), connection) for f in fields] + [a.pk]
            for a in alerts]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)  # noqa: S608


# ---- notices ----


def recipients(integration: Integration) -> list[Any]:
    """Those the integration names; else the office (rosters and escalation come next)."""
    people = list(integration.responsible.filter(status="active"))
    return people or list(group_members(GroupKind.OFFICE))


def _tell(integration: Integration, opened: list[IncomingAlert],
          resolved: list[IncomingAlert]) -> None:  # fmt: skip
    """One notice per payload for what opened and one for what closed: a group of fifty
    alerts is one message, as Alertmanager itself groups them."""
    for event, alerts in (("intake.triggered", opened), ("intake.resolved", resolved)):
        if not alerts:
            continue
        names = "\n".join(f"- [{a.urgency}] {a.summary}" for a in alerts[:NOTICE_LIST])
        more = len(alerts) - NOTICE_LIST
        notify(
            event=event, recipients=recipients(integration),
            context={"integration": integration.name, "count": len(alerts),
                     "summary": alerts[0].summary[:200], "list": names,
                     "more": f"\n(+{more})" if more > 0 else ""},
            link="/intake/alerts/" if len(alerts) > 1 else f"/intake/alerts/{alerts[0].pk}/",
        )  # fmt: skip


# ---- people and alerts ----


def may_act(actor: Any, alert: IncomingAlert) -> bool:
    """The office, experts and leadership; the people the integration names; and whoever
    the escalation has paged for this alert."""
    roles = roles_of(actor)
    if may_manage(actor) or roles.leadership:
        return True
    if roles.person is None:
        return False
    if alert.integration.responsible.filter(pk=roles.person.pk).exists():
        return True
    return roles.person.pk in paged_people(alert)


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: IncomingAlert) -> IncomingAlert:
    """认领: someone is on it."""
    if not may_act(actor, alert):
        raise AccessDenied(_("Only the people paged or named for this alert, the office or the "
                             "experts may do this."))  # fmt: skip
    if alert.state == AlertState.RESOLVED:
        raise DomainError(_("This alert is already resolved."), code="conflict")
    if alert.state == AlertState.TRIGGERED:
        alert.state, alert.acknowledged_at = AlertState.ACKNOWLEDGED, timezone.now()
        alert.acknowledged_by = None if is_system(actor) else actor
        alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        escalations_stop(alert_ids=[alert.pk], why="acknowledged")
        audit_record(actor=actor, action="intake.alert.acknowledge", obj=alert,
                     regulation="R-MON-2")  # fmt: skip
    return alert


@transaction.atomic
def alert_resolve(*, actor: Any, alert: IncomingAlert) -> IncomingAlert:
    """Closed by a person; the sender's next trigger for the key opens a new alert."""
    if not may_act(actor, alert):
        raise AccessDenied(_("Only the people paged or named for this alert, the office or the "
                             "experts may do this."))  # fmt: skip
    if alert.state != AlertState.RESOLVED:
        alert.state, alert.resolved_at = AlertState.RESOLVED, timezone.now()
        alert.save(update_fields=["state", "resolved_at"])
        escalations_stop(alert_ids=[alert.pk], why="resolved")
        audit_record(actor=actor, action="intake.alert.resolve", obj=alert)
    return alert


# ---- routes and silences ----

MAX_SILENCE = timedelta(days=30)


@transaction.atomic
def route_create(*, actor: Any, matchers: Sequence[str], integration: Integration | None = None,
                 escalation_policy: Any = None, urgency: str = "",
                 position: int = 1) -> Route:  # fmt: skip
    """Alerts matching every matcher go to `escalation_policy` (and get `urgency`)."""
    require_manager(actor)
    parse_matchers(matchers)
    if escalation_policy is None and not urgency:
        raise DomainError(_("A route sets an escalation policy, a severity or both."),
                          field="escalation_policy")  # fmt: skip
    route = Route.objects.create(integration=integration, matchers=[m.strip() for m in matchers
                                 if m.strip()], escalation_policy=escalation_policy,
                                 urgency=urgency, position=position)  # fmt: skip
    audit_record(actor=actor, action="intake.route.create", obj=route, regulation="R-MON-2",
                 after={"matchers": route.matchers})  # fmt: skip
    return route


@transaction.atomic
def silence_create(*, actor: Any, matchers: Sequence[str], ends_at: datetime, reason: str,
                   starts_at: datetime | None = None,
                   integration: Integration | None = None) -> IntakeSilence:  # fmt: skip
    """Keep matching new alerts but page and tell nobody, until `ends_at` (at most 30 days:
    a silence must not outlive the maintenance it is for)."""
    require_manager(actor)
    parse_matchers(matchers)
    starts_at = starts_at or timezone.now()
    if not reason.strip():
        raise DomainError(_("Say what the silence is for."), field="reason")
    if not starts_at < ends_at <= starts_at + MAX_SILENCE or ends_at <= timezone.now():
        raise DomainError(_("A silence ends in the future, after it starts, within 30 days."),
                          field="ends_at")  # fmt: skip
    silence = IntakeSilence.objects.create(
        integration=integration, matchers=[m.strip() for m in matchers if m.strip()],
        starts_at=starts_at, ends_at=ends_at, reason=reason.strip()[:300],
        created_by=None if is_system(actor) else actor,
    )  # fmt: skip
    audit_record(actor=actor, action="intake.silence.create", obj=silence, reason=reason,
                 after={"matchers": silence.matchers, "until": ends_at.isoformat()})  # fmt: skip
    return silence


@transaction.atomic
def silence_expire(*, actor: Any, silence: IntakeSilence) -> IntakeSilence:
    require_manager(actor)
    now = timezone.now()
    if silence.ends_at > now:
        silence.ends_at = max(now, silence.starts_at + timedelta(microseconds=1))
        silence.save(update_fields=["ends_at"])
        audit_record(actor=actor, action="intake.silence.expire", obj=silence)
    return silence


# ---- snooze and noise ----

MAX_SNOOZE = 24 * 60


@transaction.atomic
def alert_snooze(*, actor: Any, alert: IncomingAlert, minutes: int) -> IncomingAlert:
    """Hold the alert's escalation for a while (someone is looking, but not yet on it): the
    next step runs `minutes` from now at the earliest."""
    if not may_act(actor, alert):
        raise AccessDenied(_("Only the people paged or named for this alert, the office or the "
                             "experts may do this."))  # fmt: skip
    if not 1 <= minutes <= MAX_SNOOZE:
        raise DomainError(_("Snooze for 1 to 1440 minutes."), field="minutes")
    until = timezone.now() + timedelta(minutes=minutes)
    if not escalation_hold(alert=alert, until=until):
        raise DomainError(_("This alert has no escalation under way to snooze."), code="conflict")
    audit_record(actor=actor, action="intake.alert.snooze", obj=alert,
                 after={"until": until.isoformat()})  # fmt: skip
    return alert


@transaction.atomic
def alert_mark_noise(*, actor: Any, alert: IncomingAlert, reason: str) -> IncomingAlert:
    """Noise feedback: the alert was not worth a page. Counted per alert name, so the rule
    that sends it can be tuned where it lives (Prometheus, Grafana, Zabbix)."""
    if not may_act(actor, alert):
        raise AccessDenied(_("Only the people paged or named for this alert, the office or the "
                             "experts may do this."))  # fmt: skip
    if not reason.strip():
        raise DomainError(_("Say why this alert is noise."), field="reason")
    alert.noise_reason = reason.strip()[:500]
    alert.save(update_fields=["noise_reason"])
    audit_record(actor=actor, action="intake.alert.noise", obj=alert, reason=reason)
    return alert


def noise_by_rule(*, since: datetime, limit: int = 50) -> list[dict[str, Any]]:
    """Per integration and alert name (the sender's rule): alerts received and how many were
    marked as noise since `since`, noisiest first. One grouped query."""
    name = KeyTextTransform("alertname", "labels")
    rows = (
        IncomingAlert.objects.filter(last_received_at__gte=since)
        .annotate(rule=Coalesce(name, Value(""), output_field=CharField()))
        .values("integration__name", "rule")
        .annotate(alerts=Count("pk"), noise=Count("pk", filter=~Q(noise_reason="")))
        .order_by("-noise", "-alerts")[:limit]
    )
    return [{"integration": r["integration__name"], "rule": r["rule"] or "—",
             "alerts": r["alerts"], "noise": r["noise"]} for r in rows]  # fmt: skip
