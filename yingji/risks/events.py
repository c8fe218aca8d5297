"""What risk-assessment notices say, in every language (see notify.rendering)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from yingji.notify.rendering import register_event, register_event_kind

register_event(
    "risk.assessment_opened",
    title=gettext_lazy("Risk assessment opened: %(assessment)s, due %(due)s"),
    body=gettext_lazy(
        "Re-score last quarter's risks, add new ones and submit for review (R-RISK-1)."
    ),
)
register_event(
    "risk.assessment_due_soon",
    title=gettext_lazy("Risk assessment due on %(due)s: %(assessment)s"),
    body=gettext_lazy("Finish the assessment and submit it for the leadership group's review."),
)
register_event(
    "risk.assessment_overdue",
    title=gettext_lazy("Risk assessment overdue since %(due)s: %(assessment)s"),
    body=gettext_lazy("The quarterly assessment (R-RISK-1) is late; the office has been told."),
)
register_event(
    "risk.assessment_submitted",
    title=gettext_lazy("Risk assessment submitted for review: %(assessment)s"),
    body=gettext_lazy("Approve it, or return it with comments (R-RISK-1)."),
)
register_event(
    "risk.assessment_returned",
    title=gettext_lazy("Risk assessment returned with comments: %(assessment)s"),
    body=gettext_lazy("Read the comments, change the assessment and submit it again."),
)
register_event(
    "risk.assessment_approved",
    title=gettext_lazy("Risk assessment approved: %(assessment)s"),
    body=gettext_lazy("The assessment is done; next quarter starts from it."),
)
register_event(
    "risk.treatment_assigned",
    title=gettext_lazy("Risk treatment assigned to you: %(risk)s"),
    body=gettext_lazy("In %(assessment)s. Due: %(due)s"),
)

register_event_kind("risk", gettext_lazy("Risk assessment"))
