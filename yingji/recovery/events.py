"""What the after-phase's notices say, in every language (see notify.rendering). A
confidential incident's notices carry its number, never its title."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy, pgettext_lazy

from yingji.notify.rendering import register_event, register_event_kind

KIND_WORDS = {
    "plan": gettext_lazy("Recovery plan"),
    "step": gettext_lazy("Recovery step"),
    "rebuild": gettext_lazy("Rebuild work"),
    "summary": gettext_lazy("Summary report"),
    "review": gettext_lazy("Review meeting"),
    "measure": gettext_lazy("Improvement measure"),
}


def _words(context: dict[str, Any]) -> dict[str, Any]:
    kind = context.get("kind", "")
    return {
        **context,
        "kind": str(KIND_WORDS.get(kind, kind)),
        "title": context.get("title") or "—",
    }


register_event_kind("recovery", gettext_lazy("After the emergency"))
for event, title, body in (
    (
        "recovery.opened",
        gettext_lazy("After-phase of incident #%(incident)s: recovery plans, rebuild, summary"),
        gettext_lazy(
            "%(title)s. %(plans)s recovery plans and %(rebuild)s rebuild items are open; the "
            "summary report is due %(summary_due)s (R-REC-1, R-REV-1)."
        ),
    ),
    (
        "recovery.plan_assigned",
        gettext_lazy("Write your department's recovery plan for incident #%(incident)s"),
        gettext_lazy("%(title)s. Goals, steps, time points and owners, by %(due)s (R-REC-1)."),
    ),
    (
        "recovery.step_assigned",
        gettext_lazy("Recovery step for incident #%(incident)s, by %(due)s"),
        gettext_lazy("%(step)s"),
    ),
    (
        "recovery.rebuild_assigned",
        gettext_lazy("Rebuild work for incident #%(incident)s: %(target)s, by %(due)s"),
        gettext_lazy("%(title)s (R-REC-2)."),
    ),
    (
        "recovery.review_scheduled",
        gettext_lazy("Review meeting of incident #%(incident)s at %(at)s"),
        gettext_lazy("%(title)s. Place: %(place)s (R-REV-2)."),
    ),
    (
        "recovery.summary_submitted",
        gettext_lazy("Summary report of incident #%(incident)s awaits your approval"),
        gettext_lazy("%(title)s (R-REV-1)."),
    ),
    (
        "recovery.summary_returned",
        gettext_lazy("Summary report of incident #%(incident)s returned"),
        gettext_lazy("%(comment)s"),
    ),
    (
        "recovery.review_due",
        gettext_lazy("Summary of incident #%(incident)s approved: hold the review by %(due)s"),
        gettext_lazy("%(title)s (R-REV-2)."),
    ),
    (
        "recovery.summary_published",
        gettext_lazy("Summary report of incident #%(incident)s published"),
        gettext_lazy("%(title)s. Read it and bring your observations to the review (R-REV-2)."),
    ),
    (
        "recovery.measure_assigned",
        gettext_lazy("Improvement measure #%(number)s is yours, due %(due)s"),
        gettext_lazy("%(title)s (R-REV-2)."),
    ),
    (
        "recovery.measure_to_verify",
        gettext_lazy("Verify improvement measure #%(number)s"),
        gettext_lazy(
            "%(title)s. Its owner says it is done; check it works and record the evidence."
        ),
    ),
    (
        "recovery.measure_reopened",
        gettext_lazy("Improvement measure #%(number)s is open again"),
        gettext_lazy("%(title)s. %(reason)s"),
    ),
    (
        "recovery.measure_not_doing",
        gettext_lazy("Not doing improvement measure #%(number)s? Your decision"),
        gettext_lazy("%(title)s. Reason given: %(reason)s"),
    ),
    (
        "recovery.due_soon",
        gettext_lazy("%(kind)s due %(due)s (incident #%(incident)s)"),
        gettext_lazy("%(what)s"),
    ),
    (
        "recovery.late",
        pgettext_lazy("notice", "%(kind)s overdue by %(days)s days (incident #%(incident)s)"),
        gettext_lazy("%(what)s. Due %(due)s."),
    ),
):
    register_event(event, title=title, body=body, prepare=_words)

register_event(
    "recovery.digest",
    title=gettext_lazy("Improvement register %(month)s: %(overdue)s measures overdue"),
    body=gettext_lazy(
        "%(long_overdue)s of them more than 30 days; %(verified)s verified last month. "
        "The oldest:\n%(oldest)s"
    ),
)
