"""Assets, their checks and agent tokens, and the threshold rules: written by the office,
the experts and administrators, checked here so every interface refuses the same things."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record, audited_update
from yingji.core.actors import Actor, is_system
from yingji.core.errors import DomainError
from yingji.core.moments import checked_moment
from yingji.monitoring.choices import AlertStatus, AssetKind, Operator, Severity
from yingji.monitoring.models import Alert, Asset, Rule, Silence
from yingji.monitoring.queries import require_manager

METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$")  # Prometheus' metric names
MIN_INTERVAL = 10


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def asset_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    core: bool = False,
    location: str = "",
    services: str = "",
    owner_department: Any = None,
    responsible: Any = (),
) -> Asset:
    """R-MON-1: a key system, network device or facility to watch."""
    require_manager(actor)
    code, name = code.strip(), name.strip()
    if not code or Asset.objects.filter(code=code).exists():
        raise DomainError(_("Give the asset a code of its own."), field="code")
    if not name:
        raise DomainError(_("Give the asset a name."), field="name")
    if kind not in AssetKind.values:
        raise DomainError(_("Choose a kind."), field="kind")
    asset = Asset.objects.create(
        code=code[:40],
        name=name[:200],
        kind=kind,
        core=core,
        location=location.strip()[:200],
        services=services.strip(),
        owner_department=owner_department,
    )
    asset.responsible.set(responsible)
    audit_record(
        actor=actor,
        action="monitoring.asset.create",
        obj=asset,
        regulation="R-MON-1",
        after={"code": asset.code, "kind": kind},
    )
    return asset


@transaction.atomic
def agent_token_issue(*, actor: Actor, asset: Asset) -> str:
    """A new push token for the asset's agent; the old one stops working at once. Only its
    hash is kept, so the token is shown this once."""
    require_manager(actor)
    token = "yj_" + secrets.token_urlsafe(24)
    asset.agent_token_hash = token_hash(token)
    asset.save(update_fields=["agent_token_hash"])
    audit_record(actor=actor, action="monitoring.asset.agent_token", obj=asset)
    return token


def rule_checked(
    *,
    actor: Actor,
    name: str,
    metric: str,
    operator: str,
    threshold: float,
    severity: str,
    asset: Asset | None = None,
    labels: Any = None,
    for_seconds: int = 0,
    recover_threshold: float | None = None,
    recover_seconds: int = 0,
    no_data_seconds: int | None = None,
    repeat_minutes: int = 0,
    max_sends: int = 3,
    eval_seconds: int = 15,
    m: int | None = None,
    n: int | None = None,
    active_from: Any = None,
    active_until: Any = None,
) -> Rule:
    """The rule as it would be saved, checked; not saved (a preview uses it as it is)."""
    require_manager(actor)
    if not name.strip():
        raise DomainError(_("Give the rule a name."), field="name")
    if not METRIC_NAME.match(metric):
        raise DomainError(_("%(m)s is not a metric name.") % {"m": metric}, field="metric")
    if operator not in Operator.values:
        raise DomainError(_("Unknown operator %(op)s.") % {"op": operator}, field="operator")
    if severity not in Severity.values:
        raise DomainError(_("Choose a severity."), field="severity")
    labels = labels or {}
    if not isinstance(labels, dict) or not all(isinstance(v, str) for v in labels.values()):
        raise DomainError(_("Label matchers are names and text values."), field="labels")
    if eval_seconds < MIN_INTERVAL or max_sends < 1:
        raise DomainError(
            _("Evaluate at most every %(n)d seconds and send at least once.") % {"n": MIN_INTERVAL},
            field="eval_seconds",
        )
    if (m is None) != (n is None) or (m is not None and not 1 <= m <= n <= 60):  # type: ignore[operator]
        raise DomainError(_("For M of N, give both, with 1 ≤ M ≤ N ≤ 60."), field="m")
    if (active_from is None) != (active_until is None) or (
        active_from is not None and active_from == active_until
    ):
        raise DomainError(
            _("Give both ends of the active hours, and make them differ."), field="active_from"
        )
    return Rule(
        m=m,
        n=n,
        active_from=active_from,
        active_until=active_until,
        name=name.strip()[:200],
        metric=metric,
        asset=asset,
        labels=labels,
        operator=operator,
        threshold=float(threshold),
        for_seconds=for_seconds,
        severity=severity,
        recover_threshold=recover_threshold,
        recover_seconds=recover_seconds,
        no_data_seconds=no_data_seconds,
        repeat_minutes=repeat_minutes,
        max_sends=max_sends,
        eval_seconds=eval_seconds,
    )


@transaction.atomic
def rule_create(*, actor: Actor, **fields: Any) -> Rule:
    """R-MON-2: a threshold that, held for a while, alerts the people responsible."""
    rule = rule_checked(actor=actor, **fields)
    rule.save()
    audit_record(
        actor=actor,
        action="monitoring.rule.create",
        obj=rule,
        regulation="R-MON-2",
        after={
            "metric": rule.metric,
            "operator": rule.operator,
            "threshold": rule.threshold,
            "for_seconds": rule.for_seconds,
        },
    )
    return rule


MAX_SILENCE = timedelta(days=7)


@transaction.atomic
def silence_create(
    *, actor: Actor, asset: Asset, starts_at: datetime, ends_at: datetime, reason: str
) -> Silence:
    """A maintenance window: the asset's alerts still open and close, the notices wait."""
    require_manager(actor)
    if not reason.strip():
        raise DomainError(_("Say what the maintenance is."), field="reason")
    # plausible years first: year 0001 overflows when compared
    checked_moment(starts_at, "starts_at")
    checked_moment(ends_at, "ends_at")
    if not starts_at < ends_at <= starts_at + MAX_SILENCE:
        raise DomainError(
            _("A window ends after it starts and lasts at most 7 days."), field="ends_at"
        )
    if ends_at <= timezone.now():
        raise DomainError(_("This window is already over."), field="ends_at")
    silence = Silence.objects.create(
        asset=asset,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip()[:300],
        created_by=_user(actor),
    )
    audit_record(
        actor=actor,
        action="monitoring.silence.create",
        obj=asset,
        reason=reason,
        after={"from": starts_at.isoformat(), "until": ends_at.isoformat()},
    )
    return silence


def _user(actor: Actor) -> Any:
    return None if is_system(actor) else actor


@transaction.atomic
def rule_set_enabled(*, actor: Actor, rule: Rule, enabled: bool) -> Rule:
    """A rule switched off stops evaluating; its open alerts end now, silently (nobody
    should be paged for a rule that no longer exists)."""
    require_manager(actor)
    if rule.enabled == enabled:
        return rule
    rule.enabled = enabled
    rule.next_eval_at = timezone.now()
    rule.save(update_fields=["enabled", "next_eval_at"])
    if not enabled:
        Alert.objects.filter(rule=rule, status=AlertStatus.FIRING).update(
            status=AlertStatus.RESOLVED, resolved_at=timezone.now(), next_notify_at=None
        )
        rule.states.all().delete()  # a re-enabled rule starts from a clean state
    audit_record(
        actor=actor,
        action="monitoring.rule.enable" if enabled else "monitoring.rule.disable",
        obj=rule,
        regulation="R-MON-2",
    )
    return rule


@transaction.atomic
def asset_set_active(*, actor: Actor, asset: Asset, active: bool) -> Asset:
    """A retired asset is no longer checked or evaluated; its history stays."""
    require_manager(actor)
    if asset.active != active:
        asset.active = active
        asset.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="monitoring.asset.activate" if active else "monitoring.asset.retire",
            obj=asset,
            regulation="R-MON-1",
        )
    return asset


RULE_FIELDS = (
    "name",
    "metric",
    "asset",
    "labels",
    "operator",
    "threshold",
    "for_seconds",
    "recover_threshold",
    "recover_seconds",
    "no_data_seconds",
    "severity",
    "repeat_minutes",
    "max_sends",
    "eval_seconds",
    "m",
    "n",
    "active_from",
    "active_until",
)


@transaction.atomic
def rule_update(*, actor: Actor, rule: Rule, **fields: Any) -> Rule:
    """Change a rule in place, checked as a new one is. Where each series stands is kept,
    so an open alert recovers by the new thresholds rather than being forgotten."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    current = {f: getattr(rule, f) for f in RULE_FIELDS}
    checked = rule_checked(actor=actor, **{**current, **fields})
    rule.next_eval_at = timezone.now()
    audited_update(
        actor=actor,
        instance=rule,
        changes={name: getattr(checked, name) for name in fields},
        action="monitoring.rule.update",
        regulation="R-MON-2",
        validate=False,  # rule_checked checked them as for a new rule
        also_save=["next_eval_at"],
    )
    return rule
