"""The quarterly risk assessment (R-RISK-1): matrices, campaigns that open one assessment per
business department each quarter, the risk register, acceptances, review comments and R&D
projects' technical-risk assessments."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.risks.choices import (
    CampaignKind,
    Family,
    Knowledge,
    Mark,
    ProjectStatus,
    Status,
    Treatment,
)
from yingji.risks.matrices import Shape


class RiskMatrix(models.Model):
    code = models.CharField(_("code"), max_length=32)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    # {"likelihood": [names], "impact": [names], "levels": [...], "grid": [[...]]} (matrices.py)
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="risks_matrix_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def shape(self) -> Shape:
        cached = self.__dict__.get("_shape")
        if cached is None:
            cached = self.__dict__["_shape"] = Shape.of(self.definition)
        return cached


class Policy(models.Model):
    """The organisation's choices for the quarterly cycle (one row)."""

    matrix = models.ForeignKey(
        RiskMatrix, verbose_name=_("risk matrix"), on_delete=models.PROTECT, related_name="+"
    )
    due_day = models.PositiveSmallIntegerField(
        _("due on day of the quarter"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Each quarter's assessments are due on this day of the quarter (1-90)."),
    )
    # Days before the due date on which the owners are reminded, e.g. [7, 1].
    remind_days = models.JSONField(_("remind days before"), default=list, blank=True)
    auto_open = models.BooleanField(_("open each quarter automatically"), default=True)
    co_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("co-assessing technology department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.matrix)


class Campaign(models.Model):
    """One round of assessments: a quarter's, or one opened by hand."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CampaignKind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(_("due date"))
    opened_by = models.ForeignKey(  # empty: the engine opened it
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-quarter", "-opened_at"]
        constraints = [
            # Several engines may race on the first day of a quarter: one campaign wins.
            models.UniqueConstraint(
                fields=["year", "quarter"],
                condition=Q(kind="quarterly"),
                name="risks_one_quarterly_campaign",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"


class Project(models.Model):
    """An R&D project whose technical risks are assessed before go-live (R-RISK-1)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    go_live = models.DateField(_("planned go-live"), null=True, blank=True)
    systems = models.ManyToManyField(
        "monitoring.Asset", verbose_name=_("systems"), blank=True, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Assessment(models.Model):
    """A department's quarterly assessment with the technology department, or an R&D
    project's technical-risk assessment."""

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.PROTECT, related_name="assessments"
    )
    project = models.OneToOneField(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="assessment"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    co_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("co-assessing department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # People the heads name to edit with them.
    delegates = models.ManyToManyField(
        "org.Person", verbose_name=_("delegates"), blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="assessments")
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS
    )
    due_date = models.DateField(_("due date"), db_index=True)
    scope = models.TextField(_("scope"), blank=True)
    conclusion = models.TextField(_("conclusions"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "-quarter", "department__sort_order", "department__code"]
        constraints = [
            # R-RISK-1: exactly one assessment per department per quarter.
            models.UniqueConstraint(
                fields=["department", "year", "quarter"],
                condition=Q(project__isnull=True),
                name="risks_one_assessment_per_department_quarter",
            )
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=["in_progress", "returned"]),
                name="risks_assessment_open_due",
            )
        ]

    def __str__(self) -> str:
        if self.project_id:
            return _("%(project)s · technical risks") % {"project": self.project}
        return f"{self.year} Q{self.quarter} {self.department}"

    @property
    def editable(self) -> bool:
        return self.status in (Status.IN_PROGRESS, Status.RETURNED)

    @property
    def overdue(self) -> bool:
        return self.editable and self.due_date < timezone.localdate()


def _score(name: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(name, null=True, blank=True)


class Risk(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="risks")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(pgettext_lazy("risk", "title"), max_length=200)
    family = models.CharField(_("family"), max_length=16, choices=Family.choices)
    description = models.TextField(_("description"), blank=True)
    assets = models.ManyToManyField(
        "monitoring.Asset", verbose_name=_("assets"), blank=True, related_name="+"
    )
    existing_measures = models.TextField(_("existing measures"), blank=True)
    inherent_likelihood = _score(_("inherent likelihood"))
    inherent_impact = _score(_("inherent impact"))
    inherent_level = models.SmallIntegerField(null=True, blank=True)
    current_likelihood = _score(_("current likelihood"))
    current_impact = _score(_("current impact"))
    current_level = models.SmallIntegerField(null=True, blank=True, db_index=True)
    residual_likelihood = _score(_("residual likelihood"))
    residual_impact = _score(_("residual impact"))
    residual_level = models.SmallIntegerField(null=True, blank=True)
    knowledge = models.CharField(
        _("strength of knowledge"), max_length=8, choices=Knowledge.choices, blank=True
    )
    knowledge_note = models.TextField(_("why this strength of knowledge"), blank=True)
    treatment = models.CharField(
        _("treatment"), max_length=10, choices=Treatment.choices, blank=True
    )
    treatment_plan = models.TextField(_("treatment measures"), blank=True)
    owner = models.ForeignKey(
        "org.Person",
        verbose_name=_("treatment owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    treatment_due = models.DateField(_("treatment due"), null=True, blank=True)
    treatment_done = models.BooleanField(_("treatment done"), default=False)
    mark = models.CharField(_("mark"), max_length=10, choices=Mark.choices, default=Mark.NEW)
    closed_reason = models.TextField(_("why it is closed"), blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assessment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="risks_number_once")
        ]

    def __str__(self) -> str:
        return f"R-{self.number:02d} {self.title}"

    @property
    def ref(self) -> str:
        return f"R-{self.number:02d}"

    @property
    def closed(self) -> bool:
        return self.mark == Mark.CLOSED


class RiskLink(models.Model):
    """A risk's link to what treats it: a plan, a monitoring rule, and the kinds later apps
    register (reserve classes, drills) — see links.py."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(_("kind"), max_length=24)
    target_id = models.PositiveBigIntegerField()
    label = models.CharField(_("name"), max_length=200)  # the target's name when linked

    class Meta:
        ordering = ["risk", "kind", "target_id"]
        constraints = [
            models.UniqueConstraint(fields=["risk", "kind", "target_id"], name="risks_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.target_id}"


class Acceptance(models.Model):
    """The leadership group accepts a high risk until a date (R-RISK-1, treatment "accept")."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptances")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    expires = models.DateField(_("accepted until"))
    note = models.TextField(_("justification"))
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["risk", "-at"]

    def __str__(self) -> str:
        return f"{self.risk} ≤ {self.expires}"

    def valid_on(self, day: object) -> bool:
        return self.revoked_at is None and self.expires >= day  # type: ignore[operator]


class ReviewComment(models.Model):
    """The leadership group's comment on the assessment or on one risk, when returning it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="comments")
    risk = models.ForeignKey(
        Risk, null=True, blank=True, on_delete=models.CASCADE, related_name="comments"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assessment", "at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
