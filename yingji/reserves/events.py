"""What reserve notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from yingji.notify.rendering import register_event, register_event_kind

register_event(
    "reserve.inspection_due",
    title=gettext_lazy("Inspection due on %(due)s: %(item)s (%(store)s)"),
    body=gettext_lazy("Inspect it against its checklist so it stays ready (R-RES-1)."),
)
register_event(
    "reserve.inspection_late",
    title=gettext_lazy("Inspection overdue since %(due)s: %(item)s (%(store)s)"),
    body=gettext_lazy("The item no longer counts as ready until it is inspected (R-RES-1)."),
)
register_event(
    "reserve.inspection_failed",
    title=gettext_lazy("Inspection failed: %(item)s (%(store)s)"),
    body=gettext_lazy("Failed checks: %(checks)s. The item is not ready until repaired."),
)

register_event_kind("reserve", gettext_lazy("Emergency reserves"))
register_event(
    "reserve.dispatch_requested",
    title=gettext_lazy("Spare requested for incident #%(incident)s: %(item)s ×%(quantity)s"),
    body=gettext_lazy("%(title)s. Confirm and hand it over on the incident's page (R-ACT-2)."),
)
