"""Assets, their checks and agent tokens, and the threshold rules: written by the office,
the experts and administrators, checked here so every interface refuses the same things."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import is_system
from yingji.core.errors import AccessDenied, DomainError
from yingji.monitoring.choices import AlertStatus, AssetKind, CheckKind, Operator, Severity
from yingji.monitoring.models import Alert, Asset, Check, Rule, Silence
from yingji.org.roles import roles_of

METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$")  # Prometheus' metric names
MIN_INTERVAL = 10


def may_manage(actor: Any) -> bool:
    roles = roles_of(actor)
    return is_system(actor) or roles.admin or roles.office or roles.expert


def _require_manager(actor: Any) -> None:
    if not may_manage(actor):
        raise AccessDenied(_("Only the office, the experts or an administrator may do this."))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def asset_create(*, actor: Any, code: str, name: str, kind: str, core: bool = False,
                 location: str = "", services: str = "", owner_department: Any = None,
                 responsible: Any = ()) -> Asset:  # fmt: skip
    """R-MON-1: a key system, network device or facility to watch."""
    _require_manager(actor)
    code, name = code.strip(), name.strip()
    if not code or Asset.objects.filter(code=code).exists():
        raise DomainError(_("Give the asset a code of its own."), field="code")
    if not name:
        raise DomainError(_("Give the asset a name."), field="name")
    if kind not in AssetKind.values:
        raise DomainError(_("Choose a kind."), field="kind")
    asset = Asset.objects.create(code=code[:40], name=name[:200], kind=kind, core=core,
                                 location=location.strip()[:200], services=services.strip(),
                                 owner_department=owner_department)  # fmt: skip
    asset.responsible.set(responsible)
    audit_record(actor=actor, action="monitoring.asset.create", obj=asset, regulation="R-MON-1",
                 after={"code": asset.code, "kind": kind})  # fmt: skip
    return asset


@transaction.atomic
def agent_token_issue(*, actor: Any, asset: Asset) -> str:
    """A new push token for the asset's agent; the old one stops working at once. Only its
    hash is kept, so the token is shown this once."""
    _require_manager(actor)
    token = "yj_" + secrets.token_urlsafe(24)
    asset.agent_token_hash = token_hash(token)
    asset.save(update_fields=["agent_token_hash"])
    audit_record(actor=actor, action="monitoring.asset.agent_token", obj=asset)
    return token


def _check_target(kind: str, target: str) -> str:
    target = target.strip()
    if kind in (CheckKind.HTTP, CheckKind.PROMETHEUS):
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise DomainError(_("Enter a full http(s) address."), field="target")
        return target
    if kind == CheckKind.PING:
        if not re.fullmatch(r"[A-Za-z0-9.:_-]{1,253}", target):
            raise DomainError(_("Enter a host name or an IP address."), field="target")
        return target
    host, sep, port = target.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise DomainError(_("Enter host:port, e.g. 10.0.0.5:3306."), field="target")
    return target


def _check_config(kind: str, config: Any) -> dict[str, Any]:
    if not isinstance(config, dict):
        raise DomainError(_("Settings must be an object."), field="config")
    clean: dict[str, Any] = {}
    if kind == CheckKind.HTTP:
        status = config.get("expect_status", 200)
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise DomainError(_("The expected status is an HTTP status code."), field="config")
        clean["expect_status"] = status
        clean["body_contains"] = str(config.get("body_contains", ""))[:500]
    if kind == CheckKind.PING:
        count = config.get("count", 3)
        if not isinstance(count, int) or not 1 <= count <= 10:
            raise DomainError(_("Send 1 to 10 pings a run."), field="config")
        clean["count"] = count
    if kind == CheckKind.SNMP:
        community = config.get("community", "public")
        if not isinstance(community, str) or not community or len(community) > 64:
            raise DomainError(_("Give the SNMP community (at most 64 characters)."),
                              field="config")  # fmt: skip
        clean["community"] = community
    if kind == CheckKind.PROMETHEUS:
        keep = config.get("metrics", [])
        if not isinstance(keep, list) or not all(METRIC_NAME.match(str(m)) for m in keep):
            raise DomainError(_("List the metric names to keep."), field="config")
        clean["metrics"] = [str(m) for m in keep][:200]
    return clean


@transaction.atomic
def check_create(*, actor: Any, asset: Asset, name: str, kind: str, target: str,
                 config: Any = None, interval_seconds: int = 60,
                 timeout_seconds: int = 10) -> Check:  # fmt: skip
    _require_manager(actor)
    if kind not in CheckKind.values:
        raise DomainError(_("Choose a kind."), field="kind")
    if not name.strip():
        raise DomainError(_("Give the check a name."), field="name")
    if interval_seconds < MIN_INTERVAL:
        raise DomainError(_("Run a check at most every %(n)d seconds.") % {"n": MIN_INTERVAL},
                          field="interval_seconds")  # fmt: skip
    if not 1 <= timeout_seconds <= min(60, interval_seconds):
        raise DomainError(_("The timeout is 1 to 60 seconds and shorter than the interval."),
                          field="timeout_seconds")  # fmt: skip
    check = Check.objects.create(
        asset=asset, name=name.strip()[:120], kind=kind, target=_check_target(kind, target),
        config=_check_config(kind, config or {}), interval_seconds=interval_seconds,
        timeout_seconds=timeout_seconds, next_run_at=timezone.now(),
    )  # fmt: skip
    audit_record(actor=actor, action="monitoring.check.create", obj=check, regulation="R-MON-1",
                 after={"kind": kind, "target": check.target})  # fmt: skip
    return check


def rule_checked(*, actor: Any, name: str, metric: str, operator: str, threshold: float,
                 severity: str, asset: Asset | None = None, labels: Any = None,
                 for_seconds: int = 0, recover_threshold: float | None = None,
                 recover_seconds: int = 0, no_data_seconds: int | None = None,
                 repeat_minutes: int = 0, max_sends: int = 3, eval_seconds: int = 15,
                 m: int | None = None, n: int | None = None, active_from: Any = None,
                 active_until: Any = None) -> Rule:  # fmt: skip
    """The rule as it would be saved, checked; not saved (a preview uses it as it is)."""
    _require_manager(actor)
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
        raise DomainError(_("Evaluate at most every %(n)d seconds and send at least once.")
                          % {"n": MIN_INTERVAL}, field="eval_seconds")  # fmt: skip
    if (m is None) != (n is None) or (m is not None and not 1 <= m <= n <= 60):  # type: ignore[operator]
        raise DomainError(_("For M of N, give both, with 1 ≤ M ≤ N ≤ 60."), field="m")
    if (active_from is None) != (active_until is None) or (
        active_from is not None and active_from == active_until
    ):
        raise DomainError(_("Give both ends of the active hours, and make them differ."),
                          field="active_from")  # fmt: skip
    return Rule(
        m=m, n=n, active_from=active_from, active_until=active_until,
        name=name.strip()[:200], metric=metric, asset=asset, labels=labels, operator=operator,
        threshold=float(threshold), for_seconds=for_seconds, severity=severity,
        recover_threshold=recover_threshold, recover_seconds=recover_seconds,
        no_data_seconds=no_data_seconds, repeat_minutes=repeat_minutes, max_sends=max_sends,
        eval_seconds=eval_seconds,
    )  # fmt: skip


@transaction.atomic
def rule_create(*, actor: Any, **fields: Any) -> Rule:
    """R-MON-2: a threshold that, held for a while, alerts the people responsible."""
    rule = rule_checked(actor=actor, **fields)
    rule.save()
    audit_record(actor=actor, action="monitoring.rule.create", obj=rule, regulation="R-MON-2",
                 after={"metric": rule.metric, "operator": rule.operator,
                        "threshold": rule.threshold, "for_seconds": rule.for_seconds})  # fmt: skip
    return rule


MAX_SILENCE = timedelta(days=7)


@transaction.atomic
def silence_create(*, actor: Any, asset: Asset, starts_at: datetime, ends_at: datetime,
                   reason: str) -> Silence:  # fmt: skip
    """A maintenance window: the asset's alerts still open and close, the notices wait."""
    _require_manager(actor)
    if not reason.strip():
        raise DomainError(_("Say what the maintenance is."), field="reason")
    if not starts_at < ends_at <= starts_at + MAX_SILENCE:
        raise DomainError(_("A window ends after it starts and lasts at most 7 days."),
                          field="ends_at")  # fmt: skip
    if ends_at <= timezone.now():
        raise DomainError(_("This window is already over."), field="ends_at")
    silence = Silence.objects.create(
        asset=asset, starts_at=starts_at, ends_at=ends_at, reason=reason.strip()[:300],
        created_by=_user(actor),
    )  # fmt: skip
    audit_record(actor=actor, action="monitoring.silence.create", obj=asset, reason=reason,
                 after={"from": starts_at.isoformat(), "until": ends_at.isoformat()})  # fmt: skip
    return silence


def _user(actor: Any) -> Any:
    return None if is_system(actor) else actor


@transaction.atomic
def rule_set_enabled(*, actor: Any, rule: Rule, enabled: bool) -> Rule:
    """A rule switched off stops evaluating; its open alerts end now, silently (nobody
    should be paged for a rule that no longer exists)."""
    _require_manager(actor)
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
    audit_record(actor=actor, action="monitoring.rule.enable" if enabled else
                 "monitoring.rule.disable", obj=rule, regulation="R-MON-2")  # fmt: skip
    return rule


@transaction.atomic
def check_set_enabled(*, actor: Any, check: Check, enabled: bool) -> Check:
    _require_manager(actor)
    if check.enabled != enabled:
        check.enabled, check.next_run_at = enabled, timezone.now()
        check.save(update_fields=["enabled", "next_run_at"])
        audit_record(actor=actor, action="monitoring.check.enable" if enabled else
                     "monitoring.check.disable", obj=check)  # fmt: skip
    return check


@transaction.atomic
def asset_set_active(*, actor: Any, asset: Asset, active: bool) -> Asset:
    """A retired asset is no longer checked or evaluated; its history stays."""
    _require_manager(actor)
    if asset.active != active:
        asset.active = active
        asset.save(update_fields=["active"])
        audit_record(actor=actor, action="monitoring.asset.activate" if active else
                     "monitoring.asset.retire", obj=asset, regulation="R-MON-1")  # fmt: skip
    return asset


RULE_FIELDS = ("name", "metric", "asset", "labels", "operator", "threshold", "for_seconds",
               "recover_threshold", "recover_seconds", "no_data_seconds", "severity",
               "repeat_minutes", "max_sends", "eval_seconds", "m", "n", "active_from",
               "active_until")  # fmt: skip


@transaction.atomic
def rule_update(*, actor: Any, rule: Rule, **fields: Any) -> Rule:
    """Change a rule in place, checked as a new one is. Where each series stands is kept,
    so an open alert recovers by the new thresholds rather than being forgotten."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    current = {f: getattr(rule, f) for f in RULE_FIELDS}
    checked = rule_checked(actor=actor, **{**current, **fields})
    before = {f: str(getattr(rule, f)) for f in fields}
    for name in fields:
        setattr(rule, name, getattr(checked, name))
    rule.next_eval_at = timezone.now()
    rule.save(update_fields=[*fields, "next_eval_at"])
    audit_record(actor=actor, action="monitoring.rule.update", obj=rule, regulation="R-MON-2",
                 before=before, after={f: str(getattr(rule, f)) for f in fields})  # fmt: skip
    return rule
