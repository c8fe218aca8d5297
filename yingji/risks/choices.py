"""Risk families, treatments, assessment states and their transitions (R-RISK-1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import Transition, find_transition


class Family(models.TextChoices):
    """The three factors R-RISK-1 names first, then the ones assessors add most often."""

    AGEING = "ageing", _("Technology ageing")
    VULNERABILITY = "vulnerability", _("Network-security vulnerability")
    DISASTER = "disaster", _("Natural disaster")
    VENDOR = "vendor", _("Vendor")
    CAPACITY = "capacity", _("Capacity")
    PEOPLE = "people", _("People")
    OTHER = "other", _("Other")


# R-RISK-1 names these three: an assessment that leaves one out is warned about it.
REGULATION_FAMILIES = (Family.AGEING, Family.VULNERABILITY, Family.DISASTER)


class Treatment(models.TextChoices):
    UNDECIDED = "", _("Not decided")
    MITIGATE = "mitigate", _("Mitigate")
    ACCEPT = "accept", _("Accept")
    TRANSFER = "transfer", _("Transfer")
    AVOID = "avoid", _("Avoid")


class Knowledge(models.TextChoices):
    """How well the assessors know what they scored (strength of knowledge)."""

    UNKNOWN = "", _("Not stated")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Mark(models.TextChoices):
    """A risk's standing against last quarter's assessment."""

    NEW = "new", _("New")
    CARRIED = "carried", _("Carried over, not re-scored")
    UNCHANGED = "unchanged", _("Re-scored, unchanged")
    CHANGED = "changed", _("Changed")
    CLOSED = "closed", _("Closed")


class Meaning(models.TextChoices):
    """What a matrix level means for the organisation."""

    ACCEPTABLE = "acceptable", _("Acceptable")
    TOLERABLE = "tolerable", _("Tolerable")
    UNACCEPTABLE = "unacceptable", _("Unacceptable")


class Status(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned with comments")
    DONE = "done", _("Approved")


EDITABLE = (Status.IN_PROGRESS, Status.RETURNED)


class CampaignKind(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly (opened by the engine)")
    MANUAL = "manual", _("Opened by hand")


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", _("Being built")
    READY = "ready", _("Ready for go-live")
    LIVE = "live", _("Live")


class Who(models.TextChoices):
    """Who may take a step on an assessment."""

    OWNER = "owner", _("the department's head or deputy, or the technology department's")
    LEADER = "leader", _("a member of the leadership group")


_IP, _SUB, _RET, _DONE = Status.IN_PROGRESS, Status.SUBMITTED, Status.RETURNED, Status.DONE

TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", _IP, _SUB, Who.OWNER, "R-RISK-1"),
    Transition("submit", _RET, _SUB, Who.OWNER, "R-RISK-1"),
    Transition("return", _SUB, _RET, Who.LEADER, "R-RISK-1"),
    Transition("approve", _SUB, _DONE, Who.LEADER, "R-RISK-1"),
)


def transition_for(action: str, source: str) -> Transition | None:
    return find_transition(TRANSITIONS, action, source)
