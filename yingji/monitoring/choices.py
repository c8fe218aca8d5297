"""What is watched, how, and the states of rules and alerts (R-MON-1..2)."""

from __future__ import annotations

import operator
from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssetKind(models.TextChoices):
    SYSTEM = "system", _("Information system")
    NETWORK = "network_device", _("Network device")
    FACILITY = "facility", _("Production facility")
    SERVER = "server", _("Server")
    YINGJI = "yingji", _("Yingji itself")


class CheckKind(models.TextChoices):
    HTTP = "http", _("HTTP(S)")
    TCP = "tcp", _("TCP connect")
    PROMETHEUS = "prometheus", _("Prometheus exporter scrape")
    SNMP = "snmp", _("SNMP polling (v2c, v3)")
    PING = "ping", _("ICMP ping")


class Severity(models.TextChoices):
    """Mapped onto the incident grade colours, so a page reads the same everywhere."""

    CRITICAL = "critical", _("Critical")
    MAJOR = "major", _("Major")
    MINOR = "minor", _("Minor")
    WARNING = "warning", _("Warning")


SEVERITY_COLOURS = {"critical": "red", "major": "orange", "minor": "yellow", "warning": "blue"}


class Operator(models.TextChoices):
    GT = ">", ">"
    GE = ">=", "≥"
    LT = "<", "<"
    LE = "<=", "≤"
    EQ = "==", "="
    NE = "!=", "≠"


COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


class Phase(models.TextChoices):
    """A rule's state for one series (as Prometheus and Nightingale name them)."""

    OK = "ok", _("Normal")
    PENDING = "pending", _("Pending")  # breaching, not yet for the sustained duration
    FIRING = "firing", _("Firing")
    RECOVERING = "recovering", _("Recovering")  # firing, below the recovery threshold


class AlertStatus(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")


class AlertKind(models.TextChoices):
    THRESHOLD = "threshold", _("Threshold")
    NO_DATA = "no_data", _("No data")
