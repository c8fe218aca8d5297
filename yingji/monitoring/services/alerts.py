"""Alerts open and close with the rule's state, and tell the asset's people: once when they
fire, again every `repeat_minutes` up to `max_sends` until someone acknowledges, once when
they resolve. A maintenance window holds the notices back until it ends (R-MON-2)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import Actor, user_of
from yingji.core.errors import AccessDenied, DomainError
from yingji.monitoring.choices import AlertKind, AlertStatus
from yingji.monitoring.models import Alert, Asset, Rule, Series, Silence
from yingji.monitoring.queries import can_manage
from yingji.notify.services import notify
from yingji.org.choices import GroupKind
from yingji.org.queries import group_members
from yingji.org.roles import roles_of


def alerts_recipients(asset: Asset) -> list[Any]:
    """The asset's responsible people; else its department's head; else the office."""
    people = list(asset.responsible.filter(status="active"))
    if not people and asset.owner_department and asset.owner_department.head:
        people = [asset.owner_department.head]
    return people or list(group_members(GroupKind.OFFICE))


def silence_until(asset: Asset, now: datetime) -> datetime | None:
    window = (
        Silence.objects.filter(asset=asset, starts_at__lte=now, ends_at__gt=now)
        .order_by("-ends_at")
        .first()
    )
    return window.ends_at if window else None


def alert_open(
    *, rule: Rule, series: Series, kind: str, at: datetime, value: float | None, now: datetime
) -> Alert | None:
    """Open the alert unless one is open for the same rule, series and kind (its
    fingerprint); the first notice goes out now, or when a maintenance window ends."""
    if Alert.objects.filter(
        rule=rule, series=series, kind=kind, status=AlertStatus.FIRING
    ).exists():
        return None
    alert = Alert.objects.create(
        rule=rule,
        series=series,
        asset_id=series.asset_id,
        kind=kind,
        severity=rule.severity,
        value=value,
        started_at=at,
        next_notify_at=now,
    )
    alert_repeat(alert=alert, now=now)
    return alert


def alert_close(
    *, rule: Rule, series: Series, kind: str, at: datetime, value: float | None, now: datetime
) -> Alert | None:
    alert = Alert.objects.filter(
        rule=rule, series=series, kind=kind, status=AlertStatus.FIRING
    ).first()
    if alert is None:
        return None
    alert.status, alert.resolved_at, alert.next_notify_at = AlertStatus.RESOLVED, at, None
    alert.save(update_fields=["status", "resolved_at", "next_notify_at"])
    if alert.sends:  # those told it fired are told it is over; nobody else
        _tell(alert, "monitoring.resolved", key=f"alert:{alert.pk}:resolved", value=value)
    return alert


def alert_repeat(*, alert: Alert, now: datetime) -> bool:
    """Send the alert's next notice if it is due: not acknowledged, under `max_sends`, and
    outside a maintenance window (which moves the notice to the window's end)."""
    rule = alert.rule
    if alert.status != AlertStatus.FIRING or alert.acknowledged_at or alert.sends >= rule.max_sends:
        _set_next(alert, None)
        return False
    held_until = silence_until(alert.asset, now)
    if held_until is not None:
        _set_next(alert, held_until)
        return False
    alert.sends += 1
    event = "monitoring.no_data" if alert.kind == AlertKind.NO_DATA else "monitoring.firing"
    _tell(alert, event, key=f"alert:{alert.pk}:{alert.sends}")
    repeat = rule.repeat_minutes and alert.sends < rule.max_sends
    alert.next_notify_at = now + timedelta(minutes=rule.repeat_minutes) if repeat else None
    alert.save(update_fields=["sends", "next_notify_at"])
    return True


def _set_next(alert: Alert, at: datetime | None) -> None:
    if alert.next_notify_at != at:
        alert.next_notify_at = at
        alert.save(update_fields=["next_notify_at"])


def _tell(alert: Alert, event: str, *, key: str, value: float | None = None) -> None:
    """`value`: the figure now (the recovered one); the alert keeps the one that fired it."""
    asset, rule = alert.asset, alert.rule
    local = timezone.localtime(alert.resolved_at or alert.started_at)
    notify(
        event=event,
        context={
            "asset": asset.name,
            "code": asset.code,
            "rule": rule.name,
            "series": str(alert.series),
            "value": _number(alert.value if value is None else value),
            "op": rule.operator,
            "threshold": _number(rule.threshold),
            "at": local.strftime("%m-%d %H:%M:%S"),
            "severity": alert.severity,
        },
        recipients=alerts_recipients(asset),
        link=f"/monitoring/alerts/{alert.pk}/",
        key=key,
    )


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def can_act(actor: Actor, alert: Alert) -> bool:
    roles = roles_of(actor)
    responsible = (
        roles.person is not None and alert.asset.responsible.filter(pk=roles.person.pk).exists()
    )
    return can_manage(actor) or roles.leadership or responsible


@transaction.atomic
def alert_acknowledge(*, actor: Actor, alert: Alert) -> Alert:
    """认领: someone is on it, so the repeats stop."""
    if not can_act(actor, alert):
        raise AccessDenied(_("Only the asset's people, the office or the experts may do this."))
    if alert.acknowledged_at is None:
        alert.acknowledged_by, alert.acknowledged_at = user_of(actor), timezone.now()
        alert.next_notify_at = None
        alert.save(update_fields=["acknowledged_by", "acknowledged_at", "next_notify_at"])
        audit_record(
            actor=actor, action="monitoring.alert.acknowledge", obj=alert, regulation="R-MON-2"
        )
    return alert


@transaction.atomic
def alert_mark_noise(*, actor: Actor, alert: Alert, reason: str) -> Alert:
    """Noise feedback: the alert was not worth a notice; the reason tunes the rule later."""
    if not reason.strip():
        raise DomainError(_("Say why this alert is noise."), field="reason")
    alert_acknowledge(actor=actor, alert=alert)
    alert.noise_reason = reason.strip()[:500]
    alert.save(update_fields=["noise_reason"])
    audit_record(actor=actor, action="monitoring.alert.noise", obj=alert, reason=reason)
    return alert
