"""Plan tiers, version states and the approval transitions (R-PLAN-1..3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.workflow import Transition, find_transition


class Tier(models.TextChoices):
    """GB/T 29639-2020: a comprehensive plan, special plans per category, on-site procedures."""

    COMPREHENSIVE = "comprehensive", _("Comprehensive plan")  # 综合应急预案
    SPECIAL = "special", _("Special plan")  # 专项应急预案
    ON_SITE = "on_site", _("On-site procedure")  # 现场处置方案


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved")
    ARCHIVED = "archived", _("Archived")


EDITABLE = (VersionStatus.DRAFT, VersionStatus.RETURNED)


class Section(models.TextChoices):
    """The parts of a plan, in GB/T 29639 chapter order: comments, the diff and the exported
    document all follow it."""

    SCOPE = "scope", _("Scope")
    DUTIES = "group_duties", _("Organisation and duties")
    CRITERIA = "criteria", _("Activation criteria")
    STEPS = "steps", _("Response steps")
    DATA_RECOVERY = "data_recovery", _("Data-recovery procedure")
    BUSINESS = "business_measures", _("Temporary business-handling measures")
    RESOURCES = "resources", _("Required resources")
    CONTACTS = "contacts", _("Contacts")
    GENERAL = "general", _("The plan as a whole")


class ReviewOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed as it is")
    REVISED = "revised", _("Revision started")


class Author(models.TextChoices):
    """Who may take a step on a plan version."""

    EDITOR = "editor", _("the plan's owner department, the office or the experts")
    OFFICE = "office", _("the leadership group office")
    LEADER = "leader", _("a member of the leadership group")


_D, _R, _P = VersionStatus.DRAFT, VersionStatus.RETURNED, VersionStatus.PENDING_APPROVAL
_IN, _OK = VersionStatus.IN_REVIEW, VersionStatus.APPROVED

TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", _D, _IN, Author.EDITOR, "R-PLAN-2"),
    Transition("submit", _R, _IN, Author.EDITOR, "R-PLAN-2"),
    Transition("send_for_approval", _IN, _P, Author.OFFICE, "R-PLAN-2"),
    Transition("return", _IN, _R, Author.OFFICE, "R-PLAN-2"),
    Transition("return", _P, _R, Author.LEADER, "R-PLAN-2"),
    # Approval by the leadership group: the version is approved when the quorum is reached.
    Transition("approve", _P, _OK, Author.LEADER, "R-PLAN-2"),
)


def transition_for(action: str, source: str) -> Transition | None:
    return find_transition(TRANSITIONS, action, source)
