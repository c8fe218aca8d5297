"""What monitoring notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from yingji.notify.rendering import register_event, register_event_kind

register_event(
    "monitoring.firing",
    title=gettext_lazy("Alert: %(asset)s — %(rule)s"),
    body=gettext_lazy(
        "%(series)s is %(value)s (threshold %(op)s %(threshold)s) since %(at)s. Acknowledge it, "
        "or report it as an emergency (R-MON-2)."
    ),
)
register_event(
    "monitoring.no_data",
    title=gettext_lazy("No data: %(asset)s — %(rule)s"),
    body=gettext_lazy("%(series)s has reported nothing since %(at)s (R-MON-1)."),
)
register_event(
    "monitoring.resolved",
    title=gettext_lazy("Resolved: %(asset)s — %(rule)s"),
    body=gettext_lazy("%(series)s is back to %(value)s at %(at)s."),
)

register_event_kind("monitoring", gettext_lazy("Monitoring alert"))
