"""Where alerts come from and the states they pass through (R-MON-2, for companies whose
monitoring already exists)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IntegrationKind(models.TextChoices):
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    GRAFANA = "grafana", _("Grafana alerting (webhook contact point)")
    ZABBIX = "zabbix", _("Zabbix (the Yingji media type)")
    PAGERDUTY = "pagerduty", _("PagerDuty Events API v2 (any tool that sends it)")
    GENERIC = "generic", _("Generic JSON (with a mapping)")
    HEARTBEAT = "heartbeat", _("Heartbeat (alerts when a ping does not arrive in time)")


class AlertState(models.TextChoices):
    """PagerDuty's words, which Alertmanager, Grafana and Zabbix senders map onto."""

    TRIGGERED = "triggered", _("Triggered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


OPEN_STATES = (AlertState.TRIGGERED, AlertState.ACKNOWLEDGED)


URGENCY_COLOURS = {"critical": "red", "error": "orange", "warning": "yellow", "info": "blue"}
