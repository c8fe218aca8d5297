"""What plan notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from yingji.notify.rendering import register_event

register_event(
    "plan.published",
    title=gettext_lazy("Plan approved and published: %(code)s %(title)s, version %(number)s"),
    body=gettext_lazy("Read your group's duties and steps in it (R-PLAN-2)."),
)
