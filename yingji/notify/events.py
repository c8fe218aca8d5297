"""The notify app's own events. Other apps register theirs in their `events.py` (found when
the app registry is ready); each event's words live here, once, in every language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.notify.rendering import register_event, register_event_kind


def _next_step(facts: dict[str, Any]) -> dict[str, Any]:
    call_list = facts.get("call_list", "")
    facts["next_step"] = (
        _("Please call:") + "\n" + call_list
        if call_list
        else _("Sent again on their next channel.")
    )
    return facts


register_event(
    "channel.broken",
    title=gettext_lazy("Channel %(name)s is broken and no longer sends"),
    body="%(reason)s",  # the provider's words, as they came
)
register_event(
    "receipt.overdue",
    title=gettext_lazy("%(n)d people have not confirmed: %(title)s"),
    body="%(next_step)s",
    prepare=_next_step,
)
register_event("canary", title=gettext_lazy("Yingji self-check %(time)s: the engine is running"))
register_event("test", title=gettext_lazy("Test notice from Yingji"))

register_event_kind("", gettext_lazy("Notice"))
register_event_kind("test", gettext_lazy("Test notice"))
register_event_kind("broadcast", gettext_lazy("All-staff notice"))
register_event_kind("receipt", gettext_lazy("Receipts"))
register_event_kind("channel", gettext_lazy("Notification channel"))
register_event_kind("canary", gettext_lazy("Self-check"))
