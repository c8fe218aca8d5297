"""What incident notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from yingji.notify.rendering import register_event, register_event_kind
from yingji.org.grades import Grade, ResponseLevel


def incident_words(facts: dict[str, Any]) -> dict[str, Any]:
    """Labels in the reader's language; a confidential incident's title never leaves Yingji
    (chats and SMS are read by others)."""
    facts["prefix"] = _("[Exercise] ") if facts.get("exercise") else ""
    if facts.get("confidential"):
        facts["title"] = _("confidential incident")
        for secret in ("task", "done", "request", "reason"):
            facts[secret] = "…" if secret in facts else ""
    facts["minutes"] = settings.ESCALATE_MINUTES
    if facts.get("level") in ResponseLevel.values:
        facts["level"] = ResponseLevel(facts["level"]).label
    if facts.get("at"):
        at = datetime.fromisoformat(facts["at"])
        facts["at"] = timezone.localtime(at).strftime("%m-%d %H:%M")
    return facts


# The all-staff notices (R-ACT-2, R-END-2), unless the office saved its own words; {name}
# placeholders, filled for each reader in their language.
DEFAULT_TEMPLATES = {
    "activation": (
        gettext_lazy("Emergency response activated: {title}"),
        gettext_lazy(
            "The leadership group has activated the contingency plan ({level}) for incident "
            "#{number}: {title}.\n\n{summary}\n\nPrecautions: {precautions}\n\nPlease follow "
            "the instructions of the emergency groups and do not spread unconfirmed information."
        ),
    ),
    "end": (
        gettext_lazy("Emergency response ended: {title}"),
        gettext_lazy(
            "The leadership group has ended the emergency response to incident #{number}: "
            "{title}.\n\n{summary}\n\nWork goes back to normal. Thank you."
        ),
    ),
}
PLACEHOLDERS = {"number", "title", "grade", "level", "summary", "precautions"}


def _all_staff_words(facts: dict[str, Any]) -> dict[str, Any]:
    """The office's saved text, or ours in the reader's language, filled with the facts in
    the reader's language (the grade and level by name)."""
    facts = incident_words(facts)
    default_title, default_body = DEFAULT_TEMPLATES[facts["kind"]]
    grade = facts.get("grade")
    values = {
        "number": facts["number"],
        "title": facts["title"],
        "grade": Grade(grade).label if grade in Grade.values else "—",
        "level": facts.get("level") or "—",
        "summary": facts.get("summary", ""),
        "precautions": facts.get("precautions") or "—",
    }
    title = (facts.get("own_title") or str(default_title)).format(**values)
    facts["subject"] = facts["prefix"] + title
    facts["text"] = (facts.get("own_body") or str(default_body)).format(**values)
    return facts


register_event("incident.all_staff", title="%(subject)s", body="%(text)s", prepare=_all_staff_words)


def _register(event: str, title: Any, body: Any = "") -> None:
    register_event(event, title=title, body=body, prepare=incident_words)


register_event(
    "incident.task_overdue",
    title=gettext_lazy("%(prefix)sTask overdue: %(task)s — %(title)s (#%(number)s)"),
    body=gettext_lazy(
        "Finish it, or say on the incident page what blocks it; the experts may reassign it "
        "(R-HANDLE-2)."
    ),
    prepare=incident_words,
)
register_event(
    "incident.reported",
    title=gettext_lazy("%(prefix)sReported to you: %(title)s (#%(number)s)"),
    body=ngettext_lazy(
        "Judge it within %(minutes)d minute: escalate it to the leadership group as an "
        "emergency, or close it as an ordinary fault (R-RESP-2).",
        "Judge it within %(minutes)d minutes: escalate it to the leadership group as an "
        "emergency, or close it as an ordinary fault (R-RESP-2).",
        "minutes",
    ),
    prepare=incident_words,
)
register_event(
    "incident.escalated",
    title=gettext_lazy(
        "%(prefix)sEmergency reported to the leadership group: %(title)s (#%(number)s)"
    ),
    body=gettext_lazy("The leadership group assesses it and decides on activation (R-ACT-1)."),
    prepare=incident_words,
)
register_event(
    "incident.judgement_late",
    title=ngettext_lazy(
        "%(prefix)sNot judged within %(minutes)d minute, escalated by Yingji: "
        "%(title)s (#%(number)s)",
        "%(prefix)sNot judged within %(minutes)d minutes, escalated by Yingji: "
        "%(title)s (#%(number)s)",
        "minutes",
    ),
    prepare=incident_words,
)
register_event(
    "incident.closed_as_fault",
    title=gettext_lazy("%(prefix)sClosed as an ordinary fault: %(title)s (#%(number)s)"),
    prepare=incident_words,
)

# R-ACT-1
_register(
    "incident.watch",
    gettext_lazy("%(prefix)sKept under watch, no plan activated: %(title)s (#%(number)s)"),
)
_register(
    "incident.close",
    gettext_lazy("%(prefix)sClosed by the leadership group: %(title)s (#%(number)s)"),
)
# R-ACT-2
_register(
    "incident.mobilised",
    gettext_lazy("%(prefix)s%(level)s: assemble at %(place)s, %(at)s — %(title)s (#%(number)s)"),
    gettext_lazy(
        "The leadership group has activated the contingency plan. Assemble at %(place)s at "
        "%(at)s and confirm that you have received this notice (R-ACT-2)."
    ),
)
# R-HANDLE-1..2
_register(
    "incident.handling_plan",
    gettext_lazy("%(prefix)sHandling plan version %(version)s: %(title)s (#%(number)s)"),
)
_register(
    "incident.task_assigned",
    gettext_lazy("%(prefix)sA task for you: %(task)s — %(title)s (#%(number)s)"),
    gettext_lazy("Confirm that you have it, and report progress on the incident page."),
)
_register(
    "incident.progress",
    gettext_lazy("%(prefix)sProgress: %(title)s (#%(number)s)"),
    gettext_lazy("%(done)s"),
)
_register(
    "incident.progress_late",
    gettext_lazy("%(prefix)sProgress report overdue: %(title)s (#%(number)s)"),
    gettext_lazy("Report what has been done, the current state and the next step (R-HANDLE-2)."),
)
_register(
    "incident.support",
    gettext_lazy("%(prefix)sExpert support requested: %(title)s (#%(number)s)"),
    gettext_lazy("%(request)s"),
)
_register(
    "incident.participant_added",
    gettext_lazy("%(prefix)sYou have been added to the response: %(title)s (#%(number)s)"),
)
_register(
    "incident.regraded",
    gettext_lazy("%(prefix)sGrade changed from %(before)s to %(grade)s: %(title)s (#%(number)s)"),
    gettext_lazy("%(reason)s"),
)
# R-END-1..2
_register(
    "incident.end_recommended",
    gettext_lazy("%(prefix)sThe experts recommend ending the response: %(title)s (#%(number)s)"),
    gettext_lazy("A member of the leadership group orders the end, or sends it back (R-END-2)."),
)
_register("incident.ended", gettext_lazy("%(prefix)sResponse ended: %(title)s (#%(number)s)"))
_register(
    "incident.resumed",
    gettext_lazy("%(prefix)sBack to handling: %(title)s (#%(number)s)"),
    gettext_lazy("%(reason)s"),
)

register_event_kind("incident", gettext_lazy("Incident"))
register_event_kind("incident.task_assigned", gettext_lazy("Task"))
register_event_kind("incident.task_overdue", gettext_lazy("Task"))
register_event_kind("incident.progress", gettext_lazy("Progress report"))
register_event_kind("incident.progress_late", gettext_lazy("Progress report"))
register_event_kind("incident.mobilised", gettext_lazy("Mobilisation"))
register_event_kind("incident.all_staff", gettext_lazy("All-staff notice"))
register_event_kind("incident.handling_plan", gettext_lazy("Handling plan"))
