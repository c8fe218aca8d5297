"""What escalation notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from yingji.incidents.events import incident_words
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

register_event(
    "oncall.duty",
    title=gettext_lazy(
        "%(prefix)sEmergency escalated — you are on duty (%(roster)s): %(title)s (#%(number)s)"
    ),
    body=gettext_lazy(
        "Open the incident and confirm that you have it: the leadership group decides on "
        "activation (R-ACT-1). Unconfirmed, you are paged again on your next channel."
    ),
    prepare=incident_words,  # a confidential incident's title never leaves Yingji
)

register_event_kind("oncall", gettext_lazy("On-call page"))
register_event_kind("oncall.duty", gettext_lazy("Duty page"))
