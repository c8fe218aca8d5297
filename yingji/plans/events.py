"""What plan notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from yingji.notify.rendering import register_event, register_event_kind

register_event(
    "plan.published",
    title=gettext_lazy("Plan approved and published: %(code)s %(title)s, version %(number)s"),
    body=gettext_lazy("Read your group's duties and steps in it (R-PLAN-2)."),
)
register_event(
    "plan.review_soon",
    title=gettext_lazy("Plan review due on %(due)s: %(code)s %(title)s"),
    body=gettext_lazy("Review the plan (R-PLAN-3): confirm it as it is, or start a new version."),
)
register_event(
    "plan.review_due",
    title=gettext_lazy("Plan review due today or overdue: %(code)s %(title)s"),
    body=gettext_lazy(
        "The yearly review (R-PLAN-3) is due. Confirm the plan or start a new version."
    ),
)
register_event(
    "plan.review_early",
    title=gettext_lazy("Plan to be reviewed early: %(code)s %(title)s"),
    body=gettext_lazy("%(reason)s Review the plan (R-PLAN-3) and start a new version if needed."),
)

register_event_kind("plan", gettext_lazy("Contingency plan"))
