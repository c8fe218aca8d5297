"""What each sender's payload means, as one list of events: trigger, acknowledge or resolve
the alert with this key. Read as the senders document them: Alertmanager's webhook (version
4) and PagerDuty's Events API v2. A payload is checked whole before anything is stored; a
bad one is refused with every reason found."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from yingji.core.errors import DomainError
from yingji.oncall.choices import Urgency

TRIGGER, ACKNOWLEDGE, RESOLVE = "trigger", "acknowledge", "resolve"
MAX_ALERTS = 1000  # one payload; Alertmanager's max_alerts is usually far lower
MAX_TEXT = 1024
MAX_JSON = 16 * 1024  # labels and details of one alert, as stored


@dataclass
class Event:
    action: str
    key: str | None  # None: a trigger that always opens a new alert (PagerDuty's rule)
    summary: str = ""
    urgency: str = Urgency.WARNING
    source: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    link: str = ""
    at: datetime | None = None  # when the sender says it started or ended


class Invalid(DomainError):
    """A payload the sender must fix; `errors` lists every reason found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:20]), field="payload")
        self.errors = errors


# Words senders use for severity, onto PagerDuty's four (Alertmanager's `severity` label is
# free text; these are the common ones).
URGENCY_WORDS = {
    "critical": Urgency.CRITICAL,
    "page": Urgency.CRITICAL,
    "disaster": Urgency.CRITICAL,
    "emergency": Urgency.CRITICAL,
    "fatal": Urgency.CRITICAL,
    "p1": Urgency.CRITICAL,
    "error": Urgency.ERROR,
    "high": Urgency.ERROR,
    "major": Urgency.ERROR,
    "p2": Urgency.ERROR,
    "warning": Urgency.WARNING,
    "warn": Urgency.WARNING,
    "average": Urgency.WARNING,
    "minor": Urgency.WARNING,
    "p3": Urgency.WARNING,
    "info": Urgency.INFO,
    "information": Urgency.INFO,
    "low": Urgency.INFO,
    "not classified": Urgency.INFO,
    "p4": Urgency.INFO,
    "none": Urgency.INFO,
}


def urgency_of(word: Any, default: str = Urgency.WARNING) -> str:
    return URGENCY_WORDS.get(str(word).strip().lower(), default) if word else default


def _time(raw: Any) -> datetime | None:
    if not isinstance(raw, str):
        return None
    try:
        parsed = parse_datetime(raw)
    except ValueError:
        return None
    if parsed is None or parsed.year < 1970:  # Alertmanager's "0001-01-01T00:00:00Z": unset
        return None
    return parsed if timezone.is_aware(parsed) else None


def _safe_link(raw: Any) -> str:
    """Only web links: a sender's `javascript:` must never become a link on our pages."""
    if isinstance(raw, str) and raw.lower().startswith(("http://", "https://")):
        return raw[:1000]
    return ""


def _strings(raw: Any, where: str, errors: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        errors.append(_("%(where)s must be an object of text values.") % {"where": where})
        return {}
    if sum(len(k) + len(v) + 6 for k, v in raw.items()) > MAX_JSON:  # about its JSON size
        errors.append(_("%(where)s is larger than 16 KB.") % {"where": where})
        return {}
    return raw


# ---- Prometheus Alertmanager, webhook_config, payload version 4 ----


def alertmanager_events(payload: Any) -> list[Event]:
    """Each alert of the group is upserted by its fingerprint: Alertmanager repeats the
    whole group on every change and every repeat_interval."""
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise Invalid([_('This is not an Alertmanager webhook payload (no "alerts" list).')])
    if str(payload.get("version", "4")) != "4":
        raise Invalid([_("Only version 4 of the Alertmanager webhook payload is understood.")])
    return _group_events(payload)


def grafana_events(payload: Any) -> list[Event]:
    """Grafana alerting's webhook contact point: Alertmanager's shape (version "1") plus, per
    alert, the query values and links to the dashboard and panel."""
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise Invalid([_('This is not a Grafana webhook payload (no "alerts" list).')])
    return _group_events(payload)


def _group_events(payload: dict[str, Any]) -> list[Event]:
    raw_alerts = payload["alerts"]
    if len(raw_alerts) > MAX_ALERTS:
        raise Invalid([_("At most %(n)d alerts in one payload.") % {"n": MAX_ALERTS}])
    link = _safe_link(payload.get("externalURL"))
    events, errors = [], []
    for index, item in enumerate(raw_alerts):
        found: list[str] = []
        event = _alertmanager_alert(item, str(link), found)
        errors += [_("Alert %(i)d: %(why)s") % {"i": index, "why": why} for why in found]
        if event is not None and not found:
            events.append(event)
    if errors:
        raise Invalid(errors)
    return events


def _alertmanager_alert(item: Any, link: str, errors: list[str]) -> Event | None:
    if not isinstance(item, dict):
        errors.append(_("an alert is an object."))
        return None
    status = item.get("status")
    if status not in ("firing", "resolved"):
        errors.append(_('the status is "firing" or "resolved".'))
    labels = _strings(item.get("labels"), "labels", errors)
    annotations = _strings(item.get("annotations"), "annotations", errors)
    if not labels:
        errors.append(_("an alert needs its labels."))
    fingerprint = item.get("fingerprint")
    if fingerprint is not None and (
        not isinstance(fingerprint, str) or not 0 < len(fingerprint) <= 255
    ):
        errors.append(_("the fingerprint is text of at most 255 characters."))
    if errors:
        return None
    # Alertmanager sends its own fingerprint; without one, the labels are the identity.
    key = fingerprint or hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).hexdigest()
    summary = (
        annotations.get("summary")
        or annotations.get("description")
        or labels.get("alertname")
        or key
    )
    resolved = status == "resolved"
    details: dict[str, Any] = dict(annotations)
    values = item.get("values")
    if isinstance(values, dict) and len(json.dumps(values, default=str)) <= MAX_JSON:
        details["values"] = values  # Grafana: what the query measured
    page = _safe_link(item.get("panelURL")) or _safe_link(item.get("dashboardURL"))
    return Event(
        action=RESOLVE if resolved else TRIGGER,
        key=key,
        summary=summary[:MAX_TEXT],
        urgency=urgency_of(labels.get("severity")),
        source=(labels.get("instance") or labels.get("job") or "")[:255],
        labels=labels,
        details=details,
        link=page or _safe_link(item.get("generatorURL")) or link,
        at=_time(item.get("endsAt") if resolved else item.get("startsAt")),
    )


# ---- PagerDuty Events API v2: POST /v2/enqueue ----


def pagerduty_event(payload: Any) -> tuple[str, Event]:
    """(routing key, event), with PagerDuty's rules for what is required."""
    if not isinstance(payload, dict):
        raise Invalid([_("The event must be a JSON object.")])
    errors: list[str] = []
    routing_key = payload.get("routing_key")
    if not isinstance(routing_key, str) or not routing_key:
        errors.append(_("'routing_key' is missing."))
    action = payload.get("event_action")
    if action not in (TRIGGER, ACKNOWLEDGE, RESOLVE):
        errors.append(_("'event_action' must be trigger, acknowledge or resolve."))
    dedup_key = payload.get("dedup_key")
    if dedup_key is not None and (not isinstance(dedup_key, str) or not 0 < len(dedup_key) <= 255):
        errors.append(_("'dedup_key' is text of at most 255 characters."))
    elif dedup_key is None and action in (ACKNOWLEDGE, RESOLVE):
        errors.append(_("'dedup_key' is required to acknowledge or resolve."))
    event = Event(action=str(action), key=dedup_key if isinstance(dedup_key, str) else None)
    if action == TRIGGER:
        _pagerduty_trigger(payload, event, errors)
    if errors:
        raise Invalid(errors)
    return str(routing_key), event


def _pagerduty_trigger(payload: dict[str, Any], event: Event, errors: list[str]) -> None:
    body = payload.get("payload")
    if not isinstance(body, dict):
        errors.append(_("'payload' is required to trigger."))
        return
    summary, source, severity = body.get("summary"), body.get("source"), body.get("severity")
    if not isinstance(summary, str) or not summary.strip():
        errors.append(_("'payload.summary' is required."))
    if not isinstance(source, str) or not source.strip():
        errors.append(_("'payload.source' is required."))
    if severity not in Urgency.values:
        errors.append(_("'payload.severity' must be critical, error, warning or info."))
    details = body.get("custom_details", {})
    if not isinstance(details, dict):
        details = {"details": details}  # PagerDuty accepts any JSON here
    if len(json.dumps(details, ensure_ascii=False, default=str)) > MAX_JSON:
        errors.append(_("'payload.custom_details' is larger than 16 KB."))
    labels = {k: body[k] for k in ("component", "group", "class") if isinstance(body.get(k), str)}
    if errors:
        return
    event.summary, event.source = str(summary).strip()[:MAX_TEXT], str(source).strip()[:255]
    event.urgency, event.labels, event.details = str(severity), labels, details
    event.link = _safe_link(payload.get("client_url"))
    event.at = _time(body.get("timestamp"))


# ---- Zabbix, through the webhook media type in contrib/zabbix ----

# Zabbix's {EVENT.NSEVERITY}: not classified, information, warning, average, high, disaster
ZABBIX_URGENCY = (
    Urgency.INFO,
    Urgency.INFO,
    Urgency.WARNING,
    Urgency.WARNING,
    Urgency.ERROR,
    Urgency.CRITICAL,
)
ZABBIX_DETAILS = (
    "message",
    "trigger_description",
    "opdata",
    "tags",
    "host_ip",
    "event_date",
    "event_time",
)


def zabbix_event(payload: Any) -> Event:
    """One Zabbix event as the media type sends it: a problem opens the alert keyed by the
    problem's event id, its recovery resolves it, an update that acknowledges acknowledges."""
    if not isinstance(payload, dict):
        raise Invalid([_("The event must be a JSON object.")])
    errors: list[str] = []
    event_id = str(payload.get("event_id", "")).strip()
    if not event_id.isdigit():
        errors.append(_("'event_id' is Zabbix's {EVENT.ID}, a number."))
    value, update = str(payload.get("event_value", "")), str(payload.get("event_update", "0"))
    if value not in ("0", "1"):
        errors.append(_("'event_value' is {EVENT.VALUE}: 1 for a problem, 0 for its recovery."))
    subject = payload.get("subject")
    if not isinstance(subject, str) or not subject.strip():
        errors.append(_("'subject' is required."))
    severity = str(payload.get("severity", ""))
    if errors:
        raise Invalid(errors)
    if value == "0":
        action = RESOLVE
    elif update == "1":
        if str(payload.get("event_ack", "")).lower() != "yes":
            raise Invalid([_("An update that does not acknowledge changes nothing here.")])
        action = ACKNOWLEDGE
    else:
        action = TRIGGER
    details = {k: str(payload[k])[:2000] for k in ZABBIX_DETAILS if payload.get(k)}
    host = str(payload.get("host", ""))[:255]
    link = _safe_link(payload.get("url"))
    if link and str(payload.get("trigger_id", "")).isdigit():
        link = (
            f"{link.rstrip('/')}/tr_events.php?triggerid={payload['trigger_id']}&eventid={event_id}"
        )
    urgency = (
        ZABBIX_URGENCY[int(severity)]
        if severity in {"0", "1", "2", "3", "4", "5"}
        else Urgency.WARNING
    )
    return Event(
        action=action,
        key=event_id,
        summary=str(subject).strip()[:MAX_TEXT],
        urgency=urgency,
        source=host,
        labels={"host": host} if host else {},
        details=details,
        link=link[:1000],
    )


# ---- generic JSON, read through the integration's mapping ----

MAPPING_FIELDS = ("alerts", "key", "summary", "severity", "status", "source", "link")
MAPPING_HELP = {"resolved": ("resolved", "ok", "recovered", "0", "false")}


def checked_mapping(raw: Any) -> dict[str, Any]:
    """A mapping from Yingji's fields to dotted paths in the sender's JSON, e.g.
    {"alerts": "data.events", "key": "id", "summary": "title", "severity": "level",
    "status": "state", "resolved_values": ["OK"]}. `summary` is required; without `key`
    every event opens a new alert; without `alerts` the body is one event."""
    if not isinstance(raw, dict):
        raise DomainError(_("The mapping is an object of field: path."), field="mapping")
    unknown = set(raw) - {*MAPPING_FIELDS, "resolved_values"}
    if unknown:
        raise DomainError(
            _("Unknown mapping fields: %(names)s") % {"names": ", ".join(sorted(unknown))},
            field="mapping",
        )
    for name in MAPPING_FIELDS:
        path = raw.get(name)
        if path is not None and not (isinstance(path, str) and 0 < len(path) <= 200):
            raise DomainError(_("Each path is text like data.title."), field="mapping")
    if not raw.get("summary"):
        raise DomainError(_("The mapping needs at least the summary's path."), field="mapping")
    values = raw.get("resolved_values", list(MAPPING_HELP["resolved"]))
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise DomainError(_("resolved_values is a list of texts."), field="mapping")
    return {**{k: raw[k] for k in MAPPING_FIELDS if raw.get(k)}, "resolved_values": values}


def _dig(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def generic_events(payload: Any, mapping: dict[str, Any]) -> list[Event]:
    items = _dig(payload, mapping["alerts"]) if mapping.get("alerts") else [payload]
    if not isinstance(items, list) or not items or len(items) > MAX_ALERTS:
        raise Invalid(
            [_("No list of 1 to 1000 events at %(path)s.") % {"path": mapping.get("alerts", "")}]
        )
    resolved_values = {v.lower() for v in mapping["resolved_values"]}
    events, errors = [], []
    for index, item in enumerate(items):
        summary = _dig(item, mapping["summary"])
        if not isinstance(summary, str | int | float) or not str(summary).strip():
            errors.append(
                _("Event %(i)d: no summary at %(path)s.") % {"i": index, "path": mapping["summary"]}
            )
            continue
        key = _dig(item, mapping["key"]) if mapping.get("key") else None
        status = _dig(item, mapping["status"]) if mapping.get("status") else None
        resolved = status is not None and str(status).lower() in resolved_values
        key_text = str(key)[:255] if isinstance(key, str | int) and str(key) else None
        if resolved and key_text is None:
            errors.append(_("Event %(i)d: a resolution needs a key.") % {"i": index})
            continue
        source = _dig(item, mapping["source"]) if mapping.get("source") else ""
        link = _dig(item, mapping["link"]) if mapping.get("link") else ""
        severity = _dig(item, mapping["severity"]) if mapping.get("severity") else None
        events.append(
            Event(
                action=RESOLVE if resolved else TRIGGER,
                key=key_text,
                summary=str(summary).strip()[:MAX_TEXT],
                urgency=urgency_of(severity),
                source=str(source or "")[:255],
                link=_safe_link(link),
            )
        )
    if errors:
        raise Invalid(errors)
    return events
