"""What incident notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.notify.rendering import register_event


def _words(facts: dict[str, Any]) -> dict[str, Any]:
    """Labels in the reader's language; a confidential incident's title never leaves Yingji
    (chats and SMS are read by others)."""
    facts["prefix"] = _("[Exercise] ") if facts.get("exercise") else ""
    if facts.get("confidential"):
        facts["title"] = _("confidential incident")
    facts["minutes"] = settings.ESCALATE_MINUTES
    return facts


register_event(
    "incident.reported",
    title=gettext_lazy("%(prefix)sReported to you: %(title)s (#%(number)s)"),
    body=gettext_lazy(
        "Judge it within %(minutes)d minutes: escalate it to the leadership group as an "
        "emergency, or close it as an ordinary fault (R-RESP-2)."
    ),
    prepare=_words,
)
register_event(
    "incident.escalated",
    title=gettext_lazy(
        "%(prefix)sEmergency reported to the leadership group: %(title)s (#%(number)s)"
    ),
    body=gettext_lazy("The leadership group assesses it and decides on activation (R-ACT-1)."),
    prepare=_words,
)
register_event(
    "incident.judgement_late",
    title=gettext_lazy(
        "%(prefix)sNot judged within %(minutes)d minutes, escalated by Yingji: "
        "%(title)s (#%(number)s)"
    ),
    prepare=_words,
)
register_event(
    "incident.closed_as_fault",
    title=gettext_lazy("%(prefix)sClosed as an ordinary fault: %(title)s (#%(number)s)"),
    prepare=_words,
)
