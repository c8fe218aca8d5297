"""The monitoring rules: what may be watched by whom, how samples come in, how rules turn
samples into alerts and alerts into notices (R-MON-1..2)."""

from yingji.monitoring.queries import can_manage
from yingji.monitoring.services.alerts import (
    alert_acknowledge,
    alert_close,
    alert_mark_noise,
    alert_open,
    alert_repeat,
    alerts_recipients,
    can_act,
)
from yingji.monitoring.services.assets import (
    agent_token_issue,
    asset_create,
    asset_set_active,
    rule_checked,
    rule_create,
    rule_set_enabled,
    rule_update,
    silence_create,
)
from yingji.monitoring.services.check_setup import (
    check_create,
    check_set_enabled,
    check_update,
    config_shown,
)
from yingji.monitoring.services.checks import check_record
from yingji.monitoring.services.evaluation import rule_evaluate, rule_preview
from yingji.monitoring.services.ingest import (
    SampleRow,
    late_samples,
    parse_samples,
    samples_ingest,
)

__all__ = [
    "SampleRow",
    "agent_token_issue",
    "alert_acknowledge",
    "alert_close",
    "alert_mark_noise",
    "alert_open",
    "alert_repeat",
    "alerts_recipients",
    "asset_create",
    "asset_set_active",
    "check_create",
    "check_record",
    "check_set_enabled",
    "check_update",
    "config_shown",
    "can_act",
    "can_manage",
    "late_samples",
    "parse_samples",
    "rule_checked",
    "rule_create",
    "rule_evaluate",
    "rule_preview",
    "rule_set_enabled",
    "rule_update",
    "samples_ingest",
    "silence_create",
]
