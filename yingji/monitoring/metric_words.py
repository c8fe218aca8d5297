"""What people call the metrics Yingji itself collects, with their units ("CPU usage, %"),
shown beside the metric's name, which stays what rules and senders use."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

METRIC_WORDS: dict[str, tuple[Any, str]] = {
    "cpu_percent": (_("CPU usage"), "%"),
    "memory_used_percent": (_("memory used"), "%"),
    "disk_used_percent": (_("disk used"), "%"),
    "load1": (_("load (1 minute)"), ""),
    "probe_success": (_("reachable (1 yes, 0 no)"), ""),
    "probe_duration_seconds": (_("probe time"), "s"),
    "probe_icmp_rtt_seconds": (_("ping round trip"), "s"),
    "probe_http_status_code": (_("HTTP status"), ""),
    "snmp_uptime_seconds": (_("device uptime"), "s"),
    "snmp_if_in_octets_total": (_("bytes received (counter)"), "B"),
    "snmp_if_out_octets_total": (_("bytes sent (counter)"), "B"),
    "yingji_engine_lag_seconds": (_("Yingji engine lag"), "s"),
}


def metric_words(metric: str) -> str:
    """ "CPU usage (%)" for a known metric; the name itself for any other."""
    known = METRIC_WORDS.get(metric)
    if known is None:
        return metric
    words, unit = known
    return f"{words} ({unit})" if unit else str(words)
