"""Contingency plans as structured data: versions that are approved and then never change,
steps that become incident tasks, activation criteria in the incidents' fact language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.files import StoredFile
from yingji.org.choices import GroupKind, Scenario
from yingji.plans.choices import ReviewOutcome, Section, Tier, VersionStatus


class Plan(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    title = models.CharField(pgettext_lazy("plan", "title"), max_length=200)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    category = models.CharField(
        _("category"), max_length=32, choices=Scenario.choices, blank=True
    )  # empty for the comprehensive plan, which covers every category
    owner_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("owner department"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # R-PLAN-3: reviewed at least yearly; a company may choose a shorter cycle.
    review_months = models.PositiveSmallIntegerField(_("review every (months)"), default=12)
    # The approved version's review is due by then; indexed for the engine's reminders.
    review_due = models.DateField(_("review due"), null=True, blank=True, db_index=True)
    # Why the review was brought forward (improvement measures of an incident or drill).
    early_review_reason = models.TextField(_("reason for an early review"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["tier", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PlanVersion(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    scope = models.TextField(_("scope"), blank=True)
    # [{"group": GroupKind, "duties": "..."}]: what each emergency group does under this plan.
    group_duties = models.JSONField(_("duties of the groups"), default=list, blank=True)
    # [[fact, operator, threshold], ...] (org.criteria): any one met recommends activation.
    criteria = models.JSONField(_("activation criteria"), default=list, blank=True)
    criteria_text = models.TextField(_("activation criteria (text)"), blank=True)
    data_recovery = models.TextField(_("data-recovery procedure"), blank=True)
    business_measures = models.TextField(_("temporary business-handling measures"), blank=True)
    resources = models.TextField(_("required resources"), blank=True)
    contacts = models.TextField(_("contacts"), blank=True)
    author = models.ForeignKey(  # empty: written by Yingji itself (the demo, an import)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_plan_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.number}"


class PlanStep(models.Model):
    """One step of the response flow: when, who (a group), does what, where, how."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("step"), max_length=200)
    when = models.CharField(_("when"), max_length=200, blank=True)
    group = models.CharField(_("who"), max_length=16, choices=GroupKind.choices)
    how = models.TextField(_("what and how"), blank=True)
    where = models.CharField(_("where"), max_length=200, blank=True)
    expected_minutes = models.PositiveIntegerField(_("expected minutes"), null=True, blank=True)
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    after = models.PositiveSmallIntegerField(_("after step"), null=True, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="one_step_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class PlanApproval(models.Model):
    """R-PLAN-2: one leadership member's approval or return, with a comment."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="approvals")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approve = models.BooleanField()
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "by"], name="one_approval_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.version} {'+' if self.approve else '-'} {self.by}"


class PlanComment(models.Model):
    """A reviewer's comment on one section of a version (R-PLAN-2: returned with comments)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["version", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} {self.section}: {self.text[:40]}"


class PlanReview(models.Model):
    """R-PLAN-3: one yearly (or early) review of a plan, confirmed as is or revised."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=16, choices=ReviewOutcome.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(default=timezone.now)
    next_due = models.DateField(_("next review due"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.outcome} {self.at:%Y-%m-%d}"


class PlanAttachment(StoredFile):
    """A diagram, contact sheet or vendor manual that belongs to a version: approved with it,
    frozen with it, copied into the next version (kept in the database, like incidents')."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(  # empty: Yingji itself (the demo, an import)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["version", "at", "pk"]
