"""How duty rotates, on which days a layer applies, and what a calendar day is."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Urgency(models.TextChoices):
    """How urgent an alert is, which picks its escalation rule. PagerDuty Events v2
    severities; Alertmanager's `severity` label uses the same words."""

    CRITICAL = "critical", _("Critical")
    ERROR = "error", _("Error")
    # not monitoring's lowest "Warning" (提示): here info is the lowest, warning is 警告
    WARNING = "warning", pgettext_lazy("alert severity", "Warning")
    INFO = "info", _("Info")


class Rotation(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


ROTATION_DAYS = {"daily": 1, "weekly": 7}


class DayFilter(models.TextChoices):
    """Working days follow the roster's calendar: a holiday on a weekday is a rest day, a
    make-up working day (调休) on a weekend is a working day."""

    ALL = "all", _("Every day")
    WORKDAYS = "workdays", _("Working days")
    RESTDAYS = "restdays", _("Rest days (weekends and holidays)")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Make-up working day (调休)")


class StepTarget(models.TextChoices):
    ROSTER = "roster", _("Whoever is on duty on a roster")
    PERSON = "person", _("A person")
    CHANNEL = "channel", _("A group channel (DingTalk, WeCom, Feishu, …)")


class EscalationEnd(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    EXHAUSTED = "exhausted", _("Every step and repeat done")
