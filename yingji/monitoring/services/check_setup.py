"""Checks as the office sets them up: what each kind needs to run, checked here so the pages,
the API and the import refuse the same things. SNMP credentials are kept for the probe and
never shown again: a form or API call that leaves them blank (or sends back the mask) keeps
the ones saved."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.actors import Actor
from yingji.core.errors import DomainError
from yingji.monitoring.choices import CheckKind
from yingji.monitoring.models import Asset, Check
from yingji.monitoring.queries import require_manager
from yingji.monitoring.services.assets import METRIC_NAME, MIN_INTERVAL

SECRET_KEYS = ("community", "auth_key", "priv_key")
MASK = "********"
# USM protocols offered for SNMPv3, by the names Net-SNMP and switch vendors print.
SNMP_AUTH = ("MD5", "SHA", "SHA-256", "SHA-512")
SNMP_PRIV = ("none", "DES", "AES", "AES-256", "AES-256-C")  # -C: Cisco's key extension


def check_target(kind: str, target: str) -> str:
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


def check_config(kind: str, config: Any) -> dict[str, Any]:
    if not isinstance(config, dict):
        raise DomainError(_("Settings must be an object."), field="config")
    if kind == CheckKind.HTTP:
        status = config.get("expect_status", 200)
        if not isinstance(status, int) or not 100 <= status <= 599:
            raise DomainError(_("The expected status is an HTTP status code."), field="config")
        body = str(config.get("body_contains", ""))[:500]
        return {"expect_status": status, "body_contains": body}
    if kind == CheckKind.PING:
        count = config.get("count", 3)
        if not isinstance(count, int) or not 1 <= count <= 10:
            raise DomainError(_("Send 1 to 10 pings a run."), field="config")
        return {"count": count}
    if kind == CheckKind.SNMP:
        return _snmp_config(config)
    if kind == CheckKind.PROMETHEUS:
        keep = config.get("metrics", [])
        if not isinstance(keep, list) or not all(METRIC_NAME.match(str(m)) for m in keep):
            raise DomainError(_("List the metric names to keep."), field="config")
        return {"metrics": [str(m) for m in keep][:200]}
    return {}


def _snmp_config(config: dict[str, Any]) -> dict[str, Any]:
    """v2c with a community, or v3 (USM) with a user, authentication and optional privacy."""
    version = str(config.get("version", "2c"))
    if version == "2c":
        community = config.get("community", "public")
        if not isinstance(community, str) or not community or len(community) > 64:
            raise DomainError(_("Give the SNMP community (at most 64 characters)."), field="config")
        return {"version": "2c", "community": community}
    if version != "3":
        raise DomainError(_("The SNMP version is 2c or 3."), field="config")
    user = config.get("user")
    if not isinstance(user, str) or not 0 < len(user.strip()) <= 32:
        raise DomainError(_("Give the SNMPv3 user name (at most 32 characters)."), field="config")
    auth, priv = config.get("auth_protocol", "SHA"), config.get("priv_protocol", "AES")
    if auth not in SNMP_AUTH or priv not in SNMP_PRIV:
        raise DomainError(
            _("Choose the SNMPv3 authentication and privacy protocols."), field="config"
        )
    clean = {"version": "3", "user": user.strip(), "auth_protocol": auth, "priv_protocol": priv}
    for key, needed in (("auth_key", True), ("priv_key", priv != "none")):
        value = config.get(key, "")
        if needed and (not isinstance(value, str) or not 8 <= len(value) <= 64):
            # RFC 3414: pass phrases of fewer than 8 characters are refused by agents.
            raise DomainError(_("SNMPv3 pass phrases are 8 to 64 characters."), field="config")
        if needed:
            clean[key] = value
    return clean


def config_shown(config: dict[str, Any]) -> dict[str, Any]:
    """The settings as pages and the API show them: secrets masked."""
    return {k: (MASK if k in SECRET_KEYS and v else v) for k, v in config.items()}


def _keep_secrets(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    kept = dict(new)
    for key in SECRET_KEYS:
        if key in old and kept.get(key) in (None, "", MASK):
            kept[key] = old[key]
    return kept


def _checked_timing(interval_seconds: int, timeout_seconds: int) -> None:
    if interval_seconds < MIN_INTERVAL:
        raise DomainError(
            _("Run a check at most every %(n)d seconds.") % {"n": MIN_INTERVAL},
            field="interval_seconds",
        )
    if not 1 <= timeout_seconds <= min(60, interval_seconds):
        raise DomainError(
            _("The timeout is 1 to 60 seconds and shorter than the interval."),
            field="timeout_seconds",
        )


def _checked_name(name: str) -> str:
    if not name.strip():
        raise DomainError(_("Give the check a name."), field="name")
    return name.strip()[:120]


@transaction.atomic
def check_create(
    *,
    actor: Actor,
    asset: Asset,
    name: str,
    kind: str,
    target: str,
    config: Any = None,
    interval_seconds: int = 60,
    timeout_seconds: int = 10,
) -> Check:
    require_manager(actor)
    if kind not in CheckKind.values:
        raise DomainError(_("Choose a kind."), field="kind")
    name = _checked_name(name)
    _checked_timing(interval_seconds, timeout_seconds)
    check = Check.objects.create(
        asset=asset,
        name=name,
        kind=kind,
        target=check_target(kind, target),
        config=check_config(kind, config or {}),
        interval_seconds=interval_seconds,
        timeout_seconds=timeout_seconds,
        next_run_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="monitoring.check.create",
        obj=check,
        regulation="R-MON-1",
        after={"kind": kind, "target": check.target},
    )
    return check


CHECK_FIELDS = ("name", "target", "config", "interval_seconds", "timeout_seconds")


@transaction.atomic
def check_update(*, actor: Actor, check: Check, **fields: Any) -> Check:
    """Change a check's settings in place (its kind stays: a different kind is a different
    check). It runs again at once with them; its history and series stay, unless the name
    changes, which labels its samples."""
    require_manager(actor)
    unknown = set(fields) - set(CHECK_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    name = _checked_name(fields.get("name", check.name))
    target = check_target(check.kind, fields.get("target", check.target))
    config = check.config
    if "config" in fields:
        given = fields["config"]
        if isinstance(given, dict):
            given = _keep_secrets(given, check.config)
        config = check_config(check.kind, given)
    interval = fields.get("interval_seconds", check.interval_seconds)
    timeout = fields.get("timeout_seconds", check.timeout_seconds)
    _checked_timing(interval, timeout)
    before = _shown(check)
    check.name, check.target, check.config = name, target, config
    check.interval_seconds, check.timeout_seconds = interval, timeout
    check.next_run_at = timezone.now()
    check.save(update_fields=[*CHECK_FIELDS, "next_run_at"])
    audit_record(
        actor=actor,
        action="monitoring.check.update",
        obj=check,
        regulation="R-MON-1",
        before=before,
        after=_shown(check),
    )
    return check


def _shown(check: Check) -> dict[str, Any]:
    return {
        "name": check.name,
        "target": check.target,
        "config": config_shown(check.config),
        "interval_seconds": check.interval_seconds,
        "timeout_seconds": check.timeout_seconds,
    }


@transaction.atomic
def check_set_enabled(*, actor: Actor, check: Check, enabled: bool) -> Check:
    require_manager(actor)
    if check.enabled != enabled:
        check.enabled, check.next_run_at = enabled, timezone.now()
        check.save(update_fields=["enabled", "next_run_at"])
        audit_record(
            actor=actor,
            action="monitoring.check.enable" if enabled else "monitoring.check.disable",
            obj=check,
        )
    return check
