"""The after-phase's words: recovery plans (R-REC-1), rebuild (R-REC-2), the summary report
(R-REV-1), its review and the improvement register (R-REV-2), with the clause of each step."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Being written")
    APPROVED = "approved", _("Approved by the department head")  # R-REC-1
    COMPLETED = "completed", pgettext_lazy("recovery plan", "Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn: the department was not affected")


PLAN_OPEN = (PlanStatus.DRAFT, PlanStatus.APPROVED)


class StepStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DOING = "doing", _("In progress")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Not needed")


STEP_OPEN = (StepStatus.TODO, StepStatus.DOING)


class RebuildKind(models.TextChoices):
    """R-REC-2: repair and restore, and improve: after an attack new protections, not just a
    restore."""

    RESTORE = "restore", _("Restore")
    HARDEN = "harden", _("Harden")
    OPTIMISE = "optimise", _("Optimise")


class RebuildStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("rebuild", "Open")
    DONE = "done", pgettext_lazy("rebuild", "Done, verified as planned")
    CANCELLED = "cancelled", _("Cancelled")


class ReportStatus(models.TextChoices):
    """R-REV-1: written by the groups, approved by the leadership group, then shared."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review by the leadership group")
    APPROVED = "approved", pgettext_lazy("summary report", "Approved")
    PUBLISHED = "published", _("Published to staff")


class Author(models.TextChoices):
    """Who writes a section of the summary report (R-REV-1: all groups under the leadership
    group's lead)."""

    LEADERSHIP = "leadership", _("Leadership group")
    EXPERT = "expert", _("Expert group")
    EXECUTION = "execution", _("Execution group")
    DEPARTMENTS = "departments", _("Affected departments")
    ALL = "all", _("All groups")


class ReviewStatus(models.TextChoices):
    TO_SCHEDULE = "to_schedule", _("To be scheduled")
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")


# R-REV-2, in the Google SRE review's words: the questions a review answers.
REVIEW_QUESTIONS = (
    ("data_kept", _("Was the key data of the incident kept?")),
    ("impact_complete", _("Is the impact assessment complete?")),
    ("cause_deep", _("Is the cause found deep enough?")),
    ("actions_right", _("Is the action plan right, with the right priorities?")),
    ("shared", _("Has the outcome been shared with those who need it?")),
)


class Source(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    DRILL = "drill", _("Drill")
    RISK = "risk", _("Risk assessment")
    INSPECTION = "inspection", _("Inspection")
    AUDIT = "audit", _("Audit")
    OTHER = "other", _("Other")


class Change(models.TextChoices):
    """What a measure changes."""

    PLAN = "plan", _("Contingency plan")
    ORGANISATION = "organisation", _("Organisation")
    EQUIPMENT = "equipment", _("Equipment")
    TRAINING = "training", _("Training")
    MONITORING = "monitoring", _("Monitoring")
    PROCESS = "process", _("Process")


class MeasureStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("measure", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("measure", "Done, awaiting verification")
    VERIFIED = "verified", _("Verified")
    NOT_DOING = "not_doing", _("Not doing")


MEASURE_OPEN = (MeasureStatus.OPEN, MeasureStatus.IN_PROGRESS)
MEASURE_CLOSED = (MeasureStatus.VERIFIED, MeasureStatus.NOT_DOING)


class CiPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", pgettext_lazy("improvement plan", "Approved")


# R-REV-1's five headings (cause, course, measures, effect, lessons), the overview and
# decisions, the attack for a security event, and CAC 2025 Art. 8's harm, accountability and
# rectification when a regulator needs the summary.
SECTION_TITLES = {
    "overview": _("Overview"),
    "decisions": _("Decisions of the leadership group"),
    "cause": _("Cause"),
    "technique": _("Attack technique and exploited vulnerabilities"),
    "course": _("Course of events and key times"),
    "measures": _("Measures taken"),
    "effect": _("Effect on the business"),
    "went_well": _("What went well"),
    "went_badly": _("What went badly"),
    "lucky": _("Where we were lucky"),
    "harm": _("Harm caused"),
    "accountability": _("Accountability"),
    "rectification": _("Rectification"),
}


def section_title(key: str) -> str:
    return str(SECTION_TITLES.get(key, key))
