"""Alerts from the monitoring a company already runs (R-MON-2: "the monitoring system alerts
the operations staff automatically"): integrations and their keys, the deduplicating upsert
every payload goes through, and what people do with an alert (认领, resolve)."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Count, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import Actor, user_of
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.moments import checked_moment
from yingji.engine.wakeup import wake_engines
from yingji.incidents.queries import visible_incidents
from yingji.intake import store
from yingji.intake.choices import OPEN_STATES, AlertState, IntegrationKind
from yingji.intake.formats import ACKNOWLEDGE, RESOLVE, TRIGGER, Event, checked_mapping
from yingji.intake.matchers import all_match, parse_matchers
from yingji.intake.models import (
    IncomingAlert,
    InhibitRule,
    InhibitSource,
    IntakeSilence,
    Integration,
    Route,
)
from yingji.intake.store import AlertRow
from yingji.monitoring.queries import can_manage, require_manager
from yingji.notify.services import notify
from yingji.oncall.escalation import (
    escalation_hold,
    escalations_start,
    escalations_stop,
    paged_people,
)
from yingji.oncall.models import Escalation, EscalationPolicy
from yingji.org.choices import GroupKind
from yingji.org.grades import Grade
from yingji.org.models import Person
from yingji.org.queries import group_members
from yingji.org.roles import roles_of

KEY_PREFIX = "yjk_"
HEARTBEAT_KEY = "heartbeat"
NOTICE_LIST = 10  # alerts named in one grouped notice


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def integration_for_key(key: str, kind: str) -> Integration | None:
    if not key or len(key) > 200:
        return None
    # a plain statement: this runs on every intake request
    table = connection.ops.quote_name(Integration._meta.db_table)
    found = Integration.objects.raw(
        f"SELECT * FROM {table} WHERE key_hash = %s AND kind = %s "  # noqa: S608
        "AND active",
        [key_hash(key.strip()), kind],
    )
    return next(iter(found), None)


def _new_key() -> str:
    # 32 characters in all, the length PagerDuty's own routing keys have, so tools that
    # check the length accept it
    return KEY_PREFIX + secrets.token_hex(14)


@transaction.atomic
def integration_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    responsible: Sequence[Any] = (),
    escalation_policy: Any = None,
    heartbeat_seconds: int | None = None,
    mapping: Any = None,
    group_by: Sequence[str] = (),
    group_window_minutes: int = 5,
) -> tuple[Integration, str]:
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
    group_by, group_window_minutes = _checked_grouping(group_by, group_window_minutes)
    key = _new_key()
    integration = Integration.objects.create(
        name=name,
        kind=kind,
        key_hash=key_hash(key),
        key_hint=key[-4:],
        escalation_policy=escalation_policy,
        heartbeat_seconds=heartbeat_seconds,
        mapping=mapping,
        group_by=group_by,
        group_window_minutes=group_window_minutes,
        # the first ping is awaited for one interval from now
        next_beat_due_at=timezone.now() + timedelta(seconds=heartbeat_seconds)
        if heartbeat_seconds
        else None,
    )
    integration.responsible.set(responsible)
    audit_record(
        actor=actor,
        action="intake.integration.create",
        obj=integration,
        regulation="R-MON-2",
        after={"name": name, "kind": kind},
    )
    return integration, key


EDITABLE = (
    "name",
    "escalation_policy",
    "heartbeat_seconds",
    "mapping",
    "group_by",
    "group_window_minutes",
    "active",
)


@transaction.atomic
def integration_update(
    *, actor: Actor, integration: Integration, responsible: Any = None, **fields: Any
) -> Integration:
    """Change an integration's settings (its kind and key stay); audited before and after."""
    require_manager(actor)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(
            _("These cannot be changed: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    before = _settings_shown(integration)
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
        if not fields["name"] or len(fields["name"]) > 120:
            raise DomainError(
                _("Give the integration a name (at most 120 characters)."), field="name"
            )
        if Integration.objects.filter(name=fields["name"]).exclude(pk=integration.pk).exists():
            raise DomainError(_("An integration with this name exists."), field="name")
    if "heartbeat_seconds" in fields:
        fields["heartbeat_seconds"] = _checked_heartbeat(
            integration.kind, fields["heartbeat_seconds"]
        )
    if "mapping" in fields and integration.kind == IntegrationKind.GENERIC:
        fields["mapping"] = checked_mapping(fields["mapping"])
    elif "mapping" in fields:
        fields["mapping"] = {}
    if "group_by" in fields or "group_window_minutes" in fields:
        fields["group_by"], fields["group_window_minutes"] = _checked_grouping(
            fields.get("group_by", integration.group_by),
            fields.get("group_window_minutes", integration.group_window_minutes),
        )
    for name, value in fields.items():
        setattr(integration, name, value)
    integration.save(update_fields=list(fields))  # not the receive and heartbeat times
    if responsible is not None:
        integration.responsible.set(responsible)
    audit_record(
        actor=actor,
        action="intake.integration.update",
        obj=integration,
        regulation="R-MON-2",
        before=before,
        after=_settings_shown(integration),
    )
    return integration


def _settings_shown(integration: Integration) -> dict[str, Any]:
    policy = integration.escalation_policy
    return {
        "name": integration.name,
        "policy": policy.name if policy else None,
        "group_by": integration.group_by,
        "window": integration.group_window_minutes,
        "heartbeat_seconds": integration.heartbeat_seconds,
        "active": integration.active,
        "responsible": sorted(integration.responsible.values_list("pk", flat=True))
        if integration.pk
        else [],
    }


MAX_GROUP_WINDOW = 24 * 60


def _checked_grouping(group_by: Any, window: Any) -> tuple[list[str], int]:
    """Up to ten label names, and a window of 0 (no grouping beyond one engine cycle) to
    1440 minutes."""
    if isinstance(group_by, str):
        group_by = [n.strip() for n in group_by.replace(",", " ").split()]
    if (
        not isinstance(group_by, list | tuple)
        or len(group_by) > 10
        or not all(isinstance(n, str) and 0 < len(n) <= 100 for n in group_by)
    ):
        raise DomainError(_("Group by up to 10 label names."), field="group_by")
    if (
        not isinstance(window, int)
        or isinstance(window, bool)
        or not (0 <= window <= MAX_GROUP_WINDOW)
    ):
        raise DomainError(_("The group window is 0 to 1440 minutes."), field="group_window_minutes")
    return list(dict.fromkeys(group_by)), window


HEARTBEAT_RANGE = (60, 7 * 24 * 3600)


def _checked_heartbeat(kind: str, seconds: int | None) -> int | None:
    if kind != IntegrationKind.HEARTBEAT:
        return None
    if seconds is None or not HEARTBEAT_RANGE[0] <= seconds <= HEARTBEAT_RANGE[1]:
        raise DomainError(
            _("A heartbeat is due every 60 seconds to 7 days."), field="heartbeat_seconds"
        )
    return seconds


@transaction.atomic
def heartbeat_received(*, integration: Integration, now: datetime) -> None:
    """A ping: the next one is due an interval from now, and a missed-heartbeat alert
    resolves."""
    seconds = integration.heartbeat_seconds or HEARTBEAT_RANGE[0]
    Integration.objects.filter(pk=integration.pk).update(
        last_received_at=now, next_beat_due_at=now + timedelta(seconds=seconds)
    )
    if IncomingAlert.objects.filter(
        integration=integration, dedup_key=HEARTBEAT_KEY, state__in=OPEN_STATES
    ).exists():
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
        summary = _("%(name)s: no heartbeat since %(since)s") % {
            "name": integration.name,
            "since": since,
        }
        event = Event(
            action=TRIGGER,
            key=HEARTBEAT_KEY,
            summary=summary,
            urgency="critical",
            source=integration.name,
            at=due,
        )
        _apply(integration, [event], now)
    return True


@transaction.atomic
def integration_new_key(*, actor: Actor, integration: Integration) -> str:
    """A new key; the old one stops working at once."""
    require_manager(actor)
    key = _new_key()
    integration.key_hash, integration.key_hint = key_hash(key), key[-4:]
    integration.save(update_fields=["key_hash", "key_hint"])
    audit_record(actor=actor, action="intake.integration.new_key", obj=integration)
    return key


# ---- the upsert every payload goes through ----


def alerts_apply(
    *, integration: Integration, events: list[Event], now: datetime
) -> list[tuple[Event, AlertRow | None]]:
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


def _apply(
    integration: Integration, events: list[Event], now: datetime
) -> list[tuple[Event, AlertRow | None]]:
    open_by_key = store.load_open(integration.pk, {e.key for e in events if e.key})
    as_loaded = {a.pk: _content(a) for a in open_by_key.values()}
    created: list[AlertRow] = []
    changed: dict[int, AlertRow] = {}
    outcome: list[tuple[Event, AlertRow | None]] = []
    resolved: list[AlertRow] = []
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
    opened = [a for a in created if a.state != AlertState.RESOLVED]
    inhibitions = _route_and_silence(integration, opened, now)
    for alert in resolved:  # a closed alert whose opening was told: its closing is told too
        if alert.told:
            alert.notice_due_at = now
    # In the payload's order: an alert resolved and opened again under the same key must be
    # closed before its successor is inserted (one open alert per key).
    store.write_changes([a for a in changed.values() if _content(a) != as_loaded[a.pk]])
    store.write_repeats([a for a in changed.values() if _content(a) == as_loaded[a.pk]])
    if resolved:
        InhibitSource.objects.filter(alert_id__in=[a.pk for a in resolved]).delete()
    store.insert(created)
    if inhibitions:
        _sources_record(opened, inhibitions)
    _received(integration, now)
    _stop_escalations(changed.values())
    if any(a.notice_due_at for a in created) or any(a.notice_due_at for a in resolved):
        wake_engines()  # the engine tells and pages (tell_due), not this request
    return outcome


def _received(integration: Integration, now: datetime) -> None:
    """When the integration was last heard from, to the second (a busy sender need not
    write it on every request)."""
    last = integration.last_received_at
    if last is None or not timedelta(0) <= now - last < timedelta(seconds=1):
        Integration.objects.filter(pk=integration.pk).update(last_received_at=now)


def _match_labels(alert: AlertRow | IncomingAlert) -> dict[str, str]:
    """What routes and silences match: the sender's labels, plus severity and source."""
    return {"severity": alert.urgency, "source": alert.source, **alert.labels}


def _route_and_silence(
    integration: Integration, alerts: list[AlertRow], now: datetime
) -> list[Inhibition]:
    """Mark new alerts a silence or an inhibit rule mutes; for the rest apply the first
    matching route's severity and policy (else the integration's), put them in their group
    and make their notice due. Routes, silences and rules are read once per payload; the
    inhibit rules are returned."""
    if not alerts:
        return []
    silenced, routed, rules = store.mute_and_route_config(integration.pk, now)
    silences = [parse_matchers(m) for m in silenced]
    routes = [(parse_matchers(m), policy, urgency, grade) for m, policy, urgency, grade in routed]
    inhibitions = [
        Inhibition(pk, parse_matchers(source), parse_matchers(target), equal)
        for pk, source, target, equal in rules
    ]
    muting = _stored_sources(inhibitions, alerts) | _payload_sources(inhibitions, alerts)
    default = integration.escalation_policy_id
    for alert in alerts:
        labels = _match_labels(alert)
        route = next(
            (
                (policy, urgency, grade)
                for matchers, policy, urgency, grade in routes
                if all_match(matchers, labels)
            ),
            (None, "", ""),
        )
        if route[1]:
            alert.urgency = route[1]
        alert.grade = route[2]
        if any(all_match(matchers, labels) for matchers in silences) or _inhibited(
            labels, inhibitions, muting
        ):
            alert.silenced = True
            continue
        alert.policy_id = route[0] or default
        alert.group_key = group_key(integration, labels)
        alert.notice_due_at = now
    return inhibitions


def group_key(integration: Integration, labels: dict[str, str]) -> str:
    """The values of the integration's group-by labels ("" when it groups by none: the
    whole integration is one group)."""
    return ", ".join(f"{name}={labels.get(name, '')}" for name in integration.group_by)[:255]


@dataclass(frozen=True)
class Inhibition:
    pk: int
    source: list[Any]
    target: list[Any]
    equal: list[str]

    def key(self, labels: dict[str, str]) -> str:
        values = [labels.get(name, "") for name in self.equal]
        return hashlib.sha1(json.dumps(values).encode(), usedforsecurity=False).hexdigest()

    def mutes(self, labels: dict[str, str]) -> bool:
        """Is an alert with these labels a target (and not itself a source)?"""
        return all_match(self.target, labels) and not all_match(self.source, labels)


def _stored_sources(inhibitions: list[Inhibition], alerts: list[AlertRow]) -> set[tuple[int, str]]:
    """Which (rule, equal values) the payload's targets ask about have an open source alert
    already stored: one indexed query."""
    asked = {
        (rule.pk, rule.key(labels))
        for alert in alerts
        for labels in [_match_labels(alert)]
        for rule in inhibitions
        if rule.mutes(labels)
    }
    if not asked:
        return set()
    found = InhibitSource.objects.filter(
        rule_id__in={r for r, _k in asked}, equal_key__in={k for _r, k in asked}
    )
    return set(found.values_list("rule_id", "equal_key")) & asked


def _payload_sources(inhibitions: list[Inhibition], alerts: list[AlertRow]) -> set[tuple[int, str]]:
    """The (rule, equal values) this payload's own new alerts are sources of: a data centre
    reported down in the same payload as its hosts mutes them too."""
    return {
        (rule.pk, rule.key(labels))
        for alert in alerts
        for labels in [_match_labels(alert)]
        for rule in inhibitions
        if all_match(rule.source, labels)
    }


def _inhibited(
    labels: dict[str, str], inhibitions: list[Inhibition], muting: set[tuple[int, str]]
) -> bool:
    """Is an open alert (stored, or new in this payload) the source of a rule this alert is a
    target of, with the same values of the rule's `equal` labels?"""
    return any(rule.mutes(labels) and (rule.pk, rule.key(labels)) in muting for rule in inhibitions)


def _sources_record(
    alerts: Sequence[AlertRow | IncomingAlert], rules: Sequence[Inhibition]
) -> None:
    """Open alerts that match a rule's source become its sources."""
    rows = [
        InhibitSource(rule_id=rule.pk, alert_id=alert.pk or 0, equal_key=rule.key(labels))
        for alert in alerts
        if alert.state != AlertState.RESOLVED
        for labels in [_match_labels(alert)]
        for rule in rules
        if all_match(rule.source, labels)
    ]
    InhibitSource.objects.bulk_create(rows, ignore_conflicts=True)


@transaction.atomic
def inhibit_rule_create(
    *,
    actor: Actor,
    source: Sequence[str],
    target: Sequence[str],
    equal: Sequence[str] = (),
    reason: str = "",
) -> InhibitRule:
    require_manager(actor)
    parse_matchers(source)
    parse_matchers(target)
    if len(equal) > 10 or not all(isinstance(n, str) and n.isidentifier() for n in equal):
        raise DomainError(_("Equal labels are up to 10 label names."), field="equal")
    rule = InhibitRule.objects.create(
        source=[m.strip() for m in source if m.strip()],
        target=[m.strip() for m in target if m.strip()],
        equal=list(equal),
        reason=reason.strip()[:300],
    )
    inhibition = Inhibition(
        rule.pk, parse_matchers(rule.source), parse_matchers(rule.target), rule.equal
    )
    for chunk in _chunks(
        IncomingAlert.objects.filter(state__in=OPEN_STATES)
        .only("state", "urgency", "source", "labels")
        .iterator(chunk_size=2000),
        2000,
    ):
        _sources_record(chunk, [inhibition])  # the alerts open now mute from now on
    after = {"source": rule.source, "target": rule.target, "equal": rule.equal}
    audit_record(actor=actor, action="intake.inhibit.create", obj=rule, after=after)
    return rule


def _chunks(items: Any, size: int) -> Any:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@transaction.atomic
def inhibit_rule_delete(*, actor: Actor, rule: InhibitRule) -> None:
    require_manager(actor)
    audit_record(
        actor=actor,
        action="intake.inhibit.delete",
        obj=rule,
        before={"source": rule.source, "target": rule.target, "equal": rule.equal},
    )
    rule.delete()


def _stop_escalations(alerts: Any) -> None:
    """A sender's acknowledge stops its alert's escalation; a group's escalation (on its
    lead) ends when the sender has resolved the whole group."""
    acknowledged = [a.pk for a in alerts if a.state == AlertState.ACKNOWLEDGED]
    if acknowledged:
        escalations_stop(alert_ids=acknowledged, why="acknowledged")
    resolved = [a for a in alerts if a.state == AlertState.RESOLVED]
    if resolved:
        escalations_stop(alert_ids=settled_leads(resolved), why="resolved")


def settled_leads(resolved: Sequence[IncomingAlert]) -> list[int]:
    """The groups (by their lead) among these resolved alerts with no open alert left."""
    leads = {a.lead_id or a.pk for a in resolved}
    still_open = IncomingAlert.objects.filter(
        Q(pk__in=leads) | Q(lead_id__in=leads), state__in=OPEN_STATES
    )
    return list(leads - {a.lead_id or a.pk for a in still_open.only("pk", "lead_id")})


def _new_alert(integration: Integration, event: Event, now: datetime) -> AlertRow:
    return AlertRow(
        integration_id=integration.pk,
        dedup_key=event.key or "",
        state=AlertState.TRIGGERED,
        summary=event.summary,
        urgency=event.urgency,
        source=event.source,
        labels=event.labels,
        details=event.details,
        link=event.link,
        started_at=event.at or now,
        last_received_at=now,
    )


def _refresh(alert: AlertRow, event: Event, now: datetime) -> None:
    """A repeat of an open alert: the newest text and details, one more time received. An
    acknowledged alert stays acknowledged (PagerDuty keeps it so too)."""
    alert.summary, alert.urgency, alert.source = event.summary, event.urgency, event.source
    alert.labels, alert.details, alert.link = event.labels, event.details, event.link
    alert.last_received_at = now
    alert.times_received += 1


CONTENT = (
    "state",
    "summary",
    "urgency",
    "source",
    "labels",
    "details",
    "link",
    "acknowledged_at",
    "resolved_at",
    "notice_due_at",
)


def _content(alert: AlertRow) -> tuple[Any, ...]:
    return tuple(getattr(alert, name) for name in CONTENT)


# ---- notices and pages, on the engine's clock (passes.py) ----

NOTICE_BATCH = 1000


def tell_due(*, now: datetime, batch: int = NOTICE_BATCH) -> int:
    """Claim the alerts whose notice is due and, in the same transaction, tell and page them
    per group (integration and group key): a new group starts its policy's
    escalation, or one notice names its alerts; alerts joining a group told within its
    window page nobody again, a follow-up tells those already paged; closings are told to
    whoever was told of the opening."""
    with transaction.atomic():
        due = IncomingAlert.objects.filter(notice_due_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        claimed = list(due.only(*TOLD_FROM).order_by("notice_due_at", "pk")[:batch])
        if not claimed:
            return 0
        IncomingAlert.objects.filter(pk__in=[a.pk for a in claimed]).update(notice_due_at=None)
        groups: dict[tuple[int, str], list[IncomingAlert]] = {}
        for alert in claimed:
            groups.setdefault((alert.integration_id, alert.group_key), []).append(alert)
        integrations = Integration.objects.in_bulk({i for i, _key in groups})
        for (integration_id, _key), alerts in groups.items():
            _tell_group(integrations[integration_id], alerts, now)
    return len(claimed)


# what telling needs of an alert (not its labels and details)
TOLD_FROM = (
    "integration_id",
    "group_key",
    "state",
    "summary",
    "urgency",
    "policy_id",
    "lead_id",
    "told_at",
)


def _tell_group(integration: Integration, alerts: list[IncomingAlert], now: datetime) -> None:
    opened = [a for a in alerts if a.state in OPEN_STATES and a.told_at is None]
    closed = [a for a in alerts if a.state == AlertState.RESOLVED and a.told_at is not None]
    if opened:
        _open_group(integration, opened, now)
    if closed:
        _tell(integration, "intake.resolved", closed, _told_of(integration, closed))


def _open_group(integration: Integration, opened: list[IncomingAlert], now: datetime) -> None:
    lead = _open_lead(integration, opened[0].group_key, now)
    joining = opened if lead else []
    if lead is None and integration.group_window_minutes:
        lead, joining = opened[0], opened[1:]
    for alert in joining:
        alert.lead = lead
    IncomingAlert.objects.filter(pk__in=[a.pk for a in opened]).update(told_at=now)
    if joining:
        IncomingAlert.objects.filter(pk__in=[a.pk for a in joining]).update(lead=lead)
    leads = [a for a in opened if a.lead is None]
    paging = [a for a in leads if a.policy_id and a.state == AlertState.TRIGGERED]
    by_policy: dict[int, list[IncomingAlert]] = {}
    for alert in paging:
        by_policy.setdefault(alert.policy_id, []).append(alert)  # type: ignore[arg-type]
    for policy in EscalationPolicy.objects.filter(pk__in=by_policy):
        escalations_start(alerts=by_policy[policy.pk], policy=policy, now=now)
    # No policy: one notice names the new group's alerts; alerts joining a group told earlier
    # in its window are not told again (a storm tells once per window, issue 15).
    new_leads = {a.pk for a in leads}
    told = [
        a
        for a in opened
        if a not in paging
        and (a.lead is None or (a.lead.pk in new_leads and a.lead.policy_id is None))
    ]
    if told:
        _tell(integration, "intake.triggered", told, recipients(integration))
    followers = [a for a in joining if lead is not None and lead.policy_id]
    people = paged_people(lead) if lead is not None and followers else set()
    if people:  # those already paged for the group hear that it grew
        _tell(
            integration,
            "intake.grouped",
            followers,
            list(Person.objects.filter(pk__in=people)),
            lead=lead,
        )


def _open_lead(integration: Integration, key: str, now: datetime) -> IncomingAlert | None:
    """The open group this key's new alerts join: its lead was told within the window."""
    window = integration.group_window_minutes
    if not window:
        return None
    return (
        IncomingAlert.objects.filter(
            integration=integration,
            group_key=key,
            lead__isnull=True,
            state__in=OPEN_STATES,
            told_at__gte=now - timedelta(minutes=window),
        )
        .order_by("told_at", "pk")
        .first()
    )


def _told_of(integration: Integration, closed: list[IncomingAlert]) -> list[Any]:
    """Whoever was told of these alerts' opening: those their (group's) escalation paged,
    else the integration's people or the office."""
    leads = {a.lead_id or a.pk for a in closed}
    paged = {
        person
        for told in Escalation.objects.filter(alert_id__in=leads).values_list("told", flat=True)
        for record in told
        for person in record.get("people", [])
    }
    unescalated = leads - set(
        Escalation.objects.filter(alert_id__in=leads).values_list("alert_id", flat=True)
    )
    people = list(Person.objects.filter(pk__in=paged, status="active"))
    if unescalated:
        people += [p for p in recipients(integration) if p.pk not in paged]
    return people


def recipients(integration: Integration) -> list[Any]:
    """Those the integration names; else the office."""
    people = list(integration.responsible.filter(status="active"))
    return people or list(group_members(GroupKind.OFFICE))


def _tell(
    integration: Integration,
    event: str,
    alerts: list[IncomingAlert],
    people: list[Any],
    lead: IncomingAlert | None = None,
) -> None:
    """One notice for many alerts: a group of fifty is one message, as Alertmanager itself
    groups them."""
    names = "\n".join(f"- [{a.urgency}] {a.summary}" for a in alerts[:NOTICE_LIST])
    more = len(alerts) - NOTICE_LIST
    first = lead or alerts[0]
    notify(
        event=event,
        recipients=people,
        context={
            "integration": integration.name,
            "count": len(alerts),
            "summary": first.summary[:200],
            "list": names,
            "more": f"\n(+{more})" if more > 0 else "",
        },
        link=f"/intake/alerts/{first.pk}/" if len(alerts) == 1 or lead else "/intake/alerts/",
    )


# ---- people and alerts ----


def can_act(actor: Actor, alert: IncomingAlert) -> bool:
    """The office, experts and leadership; the people the integration names; and whoever
    the escalation has paged for this alert."""
    roles = roles_of(actor)
    if can_manage(actor) or roles.leadership:
        return True
    if roles.person is None:
        return False
    if alert.integration.responsible.filter(pk=roles.person.pk).exists():
        return True
    return roles.person.pk in paged_people(alert.lead or alert)


@transaction.atomic
def alert_acknowledge(*, actor: Actor, alert: IncomingAlert) -> IncomingAlert:
    """认领: someone is on it."""
    if not can_act(actor, alert):
        raise AccessDenied(
            _(
                "Only the people paged or named for this alert, the office or the "
                "experts may do this."
            )
        )
    if alert.state == AlertState.RESOLVED:
        raise DomainError(_("This alert is already resolved."), code="conflict")
    if alert.state == AlertState.TRIGGERED:
        alert.state, alert.acknowledged_at = AlertState.ACKNOWLEDGED, timezone.now()
        alert.acknowledged_by = user_of(actor)
        alert.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
        # a group's lead stands for the group: its members are being looked at too
        members = alert.members.filter(state=AlertState.TRIGGERED).update(
            state=AlertState.ACKNOWLEDGED,
            acknowledged_at=alert.acknowledged_at,
            acknowledged_by=alert.acknowledged_by,
        )
        escalations_stop(alert_ids=[alert.pk], why="acknowledged")
        audit_record(
            actor=actor,
            action="intake.alert.acknowledge",
            obj=alert,
            regulation="R-MON-2",
            after={"members": members},
        )
    return alert


@transaction.atomic
def alert_resolve(*, actor: Actor, alert: IncomingAlert) -> IncomingAlert:
    """Closed by a person; the sender's next trigger for the key opens a new alert."""
    if not can_act(actor, alert):
        raise AccessDenied(
            _(
                "Only the people paged or named for this alert, the office or the "
                "experts may do this."
            )
        )
    if alert.state != AlertState.RESOLVED:
        alert.state, alert.resolved_at = AlertState.RESOLVED, timezone.now()
        alert.save(update_fields=["state", "resolved_at"])
        # resolving a group's lead closes the group (the sender's next trigger opens anew)
        members = alert.members.filter(state__in=OPEN_STATES).update(
            state=AlertState.RESOLVED, resolved_at=alert.resolved_at
        )
        InhibitSource.objects.filter(Q(alert=alert) | Q(alert__lead=alert)).delete()
        escalations_stop(alert_ids=settled_leads([alert]), why="resolved")
        audit_record(
            actor=actor, action="intake.alert.resolve", obj=alert, after={"members": members}
        )
    return alert


@transaction.atomic
def alert_link_incident(*, actor: Actor, alert: IncomingAlert, incident: Any) -> IncomingAlert:
    """The emergency this alert was reported as (R-RESP-1): shown on the alert, so whoever
    looks at it next goes to the incident rather than reporting it again."""
    if not visible_incidents(actor).filter(pk=incident.pk).exists():
        raise AccessDenied(_("You cannot see this incident."))
    alert.incident = incident
    alert.save(update_fields=["incident"])
    audit_record(
        actor=actor,
        action="intake.alert.reported",
        obj=alert,
        regulation="R-RESP-1",
        after={"incident": incident.pk},
    )
    return alert


# ---- routes and silences ----

MAX_SILENCE = timedelta(days=30)


@transaction.atomic
def route_create(
    *,
    actor: Actor,
    matchers: Sequence[str],
    integration: Integration | None = None,
    escalation_policy: Any = None,
    urgency: str = "",
    grade: str = "",
    position: int = 1,
) -> Route:
    """Alerts matching every matcher go to `escalation_policy`, get `urgency`, and are
    proposed at `grade` when reported as an emergency."""
    require_manager(actor)
    parse_matchers(matchers)
    if escalation_policy is None and not urgency and not grade:
        raise DomainError(
            _("A route sets an escalation policy, a severity, a grade or more."),
            field="escalation_policy",
        )
    if grade and grade not in Grade.values:
        raise DomainError(_("Choose a grade: I, II, III or IV."), field="grade")
    route = Route.objects.create(
        integration=integration,
        matchers=[m.strip() for m in matchers if m.strip()],
        escalation_policy=escalation_policy,
        urgency=urgency,
        grade=grade,
        position=position,
    )
    audit_record(
        actor=actor,
        action="intake.route.create",
        obj=route,
        regulation="R-MON-2",
        after={"matchers": route.matchers},
    )
    return route


@transaction.atomic
def silence_create(
    *,
    actor: Actor,
    matchers: Sequence[str],
    ends_at: datetime,
    reason: str,
    starts_at: datetime | None = None,
    integration: Integration | None = None,
) -> IntakeSilence:
    """Keep matching new alerts but page and tell nobody, until `ends_at` (at most 30 days:
    a silence must not outlive the maintenance it is for)."""
    require_manager(actor)
    parse_matchers(matchers)
    starts_at = starts_at or timezone.now()
    if not reason.strip():
        raise DomainError(_("Say what the silence is for."), field="reason")
    # plausible years first: year 0001 overflows when compared
    checked_moment(starts_at, "starts_at")
    checked_moment(ends_at, "ends_at")
    if not starts_at < ends_at <= starts_at + MAX_SILENCE or ends_at <= timezone.now():
        raise DomainError(
            _("A silence ends in the future, after it starts, within 30 days."), field="ends_at"
        )
    silence = IntakeSilence.objects.create(
        integration=integration,
        matchers=[m.strip() for m in matchers if m.strip()],
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip()[:300],
        created_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="intake.silence.create",
        obj=silence,
        reason=reason,
        after={"matchers": silence.matchers, "until": ends_at.isoformat()},
    )
    return silence


@transaction.atomic
def silence_expire(*, actor: Actor, silence: IntakeSilence) -> IntakeSilence:
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
def alert_snooze(*, actor: Actor, alert: IncomingAlert, minutes: int) -> IncomingAlert:
    """Hold the alert's escalation for a while (someone is looking, but not yet on it): the
    next step runs `minutes` from now at the earliest."""
    if not can_act(actor, alert):
        raise AccessDenied(
            _(
                "Only the people paged or named for this alert, the office or the "
                "experts may do this."
            )
        )
    if not 1 <= minutes <= MAX_SNOOZE:
        raise DomainError(_("Snooze for 1 to 1440 minutes."), field="minutes")
    until = timezone.now() + timedelta(minutes=minutes)
    if not escalation_hold(alert=alert, until=until):
        raise DomainError(_("This alert has no escalation under way to snooze."), code="conflict")
    audit_record(
        actor=actor, action="intake.alert.snooze", obj=alert, after={"until": until.isoformat()}
    )
    return alert


@transaction.atomic
def alert_mark_noise(*, actor: Actor, alert: IncomingAlert, reason: str) -> IncomingAlert:
    """Noise feedback: the alert was not worth a page. Counted per alert name, so the rule
    that sends it can be tuned where it lives (Prometheus, Grafana, Zabbix)."""
    if not can_act(actor, alert):
        raise AccessDenied(
            _(
                "Only the people paged or named for this alert, the office or the "
                "experts may do this."
            )
        )
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
    return [
        {
            "integration": r["integration__name"],
            "rule": r["rule"] or "—",
            "alerts": r["alerts"],
            "noise": r["noise"],
        }
        for r in rows
    ]
