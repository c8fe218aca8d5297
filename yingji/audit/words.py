"""The audit trail in words: "Incident: escalated as an emergency", "Person: changed" and
the actor's name, instead of `incident.escalate` and a log-in. Each app registers the words
for its own action codes (its hooks.py); a code nobody named is shown as it is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SUBJECTS: dict[str, Any] = {}
VERBS: dict[str, Any] = {
    "create": gettext_lazy("created"),
    "update": gettext_lazy("changed"),
    "save": gettext_lazy("saved"),
    "delete": gettext_lazy("deleted"),
    "add": gettext_lazy("added"),
    "remove": gettext_lazy("removed"),
    "status": gettext_lazy("status changed"),
    "enable": gettext_lazy("switched on or off"),
    "activate": gettext_lazy("put back in service"),
    "retire": gettext_lazy("retired"),
    "acknowledge": gettext_lazy("acknowledged"),
    "resolve": gettext_lazy("resolved"),
    "noise": gettext_lazy("marked as noise"),
    "snooze": gettext_lazy("snoozed"),
    "expire": gettext_lazy("ended early"),
    "grant": gettext_lazy("granted"),
    "revoke": gettext_lazy("revoked"),
    "set": gettext_lazy("set"),
    "change": gettext_lazy("changed"),
    "new": gettext_lazy("new version started"),
    "new_key": gettext_lazy("new key issued"),
}


def register_action_words(
    *, subjects: Mapping[str, Any] = {}, verbs: Mapping[str, Any] = {}
) -> None:
    """`subjects` by code prefix ("incident", "incident.task"), `verbs` by last part."""
    SUBJECTS.update(subjects)
    VERBS.update(verbs)


def action_words(code: str) -> str:
    parts = code.split(".")
    subject = next(
        (
            SUBJECTS[".".join(parts[:end])]
            for end in range(len(parts) - 1, 0, -1)
            if ".".join(parts[:end]) in SUBJECTS
        ),
        None,
    )
    verb = VERBS.get(code) or VERBS.get(parts[-1])
    if subject is None or verb is None:
        return code
    return _("%(subject)s: %(verb)s") % {"subject": subject, "verb": verb}
