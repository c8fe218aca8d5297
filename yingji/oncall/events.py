"""What escalation notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from yingji.notify.rendering import register_event, register_event_kind

register_event(
    "oncall.page",
    title=gettext_lazy("[%(urgency)s] %(summary)s"),
    body=gettext_lazy(
        "From %(integration)s since %(since)s; nobody has acknowledged it yet (step %(step)s "
        "of %(steps)s, round %(round)s). Acknowledge (认领) it to stop the escalation."
    ),
)
register_event(
    "oncall.page_again",
    title=gettext_lazy("[%(urgency)s] Still not acknowledged: %(summary)s"),
    body=gettext_lazy(
        "From %(integration)s since %(since)s. Your contact rule pages you here when an alert "
        "is still unacknowledged. Acknowledge (认领) it to stop the escalation."
    ),
)

register_event_kind("oncall", gettext_lazy("On-call page"))
