"""What intake notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from yingji.notify.rendering import register_event, register_event_kind

register_event(
    "intake.triggered",
    title=gettext_lazy("%(count)s new alert(s) from %(integration)s: %(summary)s"),
    body=gettext_lazy("%(list)s%(more)s\n\nAcknowledge them, or report an emergency (R-MON-2)."),
)
register_event(
    "intake.resolved",
    title=gettext_lazy("%(count)s alert(s) from %(integration)s resolved: %(summary)s"),
    body=gettext_lazy("%(list)s%(more)s"),
)
register_event(
    "intake.grouped",
    title=gettext_lazy("%(count)s more alert(s) joined %(summary)s (%(integration)s)"),
    body=gettext_lazy("%(list)s%(more)s\n\nThey are grouped under the alert you were paged for."),
)

register_event_kind("intake", gettext_lazy("Incoming alert"))
