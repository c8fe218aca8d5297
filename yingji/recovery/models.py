"""The after-phase of an incident (R-REC-1..R-REV-2) and the improvement register that every
source of lessons feeds (R-REV-2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.files import StoredFile
from yingji.recovery.choices import (
    MEASURE_CLOSED,
    STEP_OPEN,
    Author,
    Change,
    CiPlanStatus,
    MeasureStatus,
    PlanStatus,
    RebuildKind,
    RebuildStatus,
    ReportStatus,
    ReviewStatus,
    Source,
    StepStatus,
)

PERSON = "org.Person"


class RecoverySettings(models.Model):
    """The office's deadlines for the after-phase; one row (pk 1)."""

    plan_days = models.PositiveSmallIntegerField(
        _("recovery plans due (working days after the end)"), default=3
    )
    rebuild_days = models.PositiveSmallIntegerField(
        _("rebuild work due (working days after the end)"), default=10
    )
    summary_days = models.PositiveSmallIntegerField(
        _("summary report due (working days after the end)"), default=10
    )
    review_days = models.PositiveSmallIntegerField(
        _("review meeting due (working days after the summary is due)"), default=5
    )
    # CAC 2025 Art. 8: the summary goes to the regulator within 30 days of the handling's end,
    # for network-security events graded 较大 (III) or above.
    regulator_days = models.PositiveSmallIntegerField(
        _("regulator's summary deadline (days after the end)"), default=30
    )
    regulator_grades = models.JSONField(
        _("grades a regulator needs a summary of"), default=list, blank=True
    )
    regulator_categories = models.JSONField(
        _("categories a regulator needs"), default=list, blank=True
    )
    remind_days = models.PositiveSmallIntegerField(_("remind this many days before"), default=2)
    calendar = models.ForeignKey(
        "oncall.HolidayCalendar",
        verbose_name=_("holiday calendar for working days"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    exercises = models.BooleanField(_("open an after-phase for exercises too"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "recovery settings"


class AfterPhase(models.Model):
    """One per incident, made at the end order: its row decides the race between engines."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.CASCADE, related_name="after_phase"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["closed_at", "-opened_at"], name="afterphase_open")]

    def __str__(self) -> str:
        return f"after #{self.incident_id}"


class RecoveryPlan(models.Model):
    """R-REC-1: an affected business department's plan to bring its business back."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="recovery_plans"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        PERSON,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    impact = models.TextField(_("impact on the business"), blank=True)  # from the facts
    goals = models.TextField(_("goals"), blank=True)
    due_at = models.DateTimeField(_("due"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("why withdrawn"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["incident", "department__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "department"], name="recovery_one_plan_per_department"
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="recovery_plan_due")]

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.department}"

    @property
    def overdue(self) -> bool:
        return self.status == PlanStatus.DRAFT and self.due_at < timezone.now()


class RecoveryStep(models.Model):
    """One step of a recovery plan: what, by when (a time point), who."""

    plan = models.ForeignKey(RecoveryPlan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(_("step"), max_length=500)
    due_at = models.DateTimeField(_("time point"))
    owner = models.ForeignKey(
        PERSON, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=StepStatus.choices, default=StepStatus.TODO
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "position"]
        indexes = [models.Index(fields=["status", "due_at"], name="recovery_step_due")]

    def __str__(self) -> str:
        return self.description

    @property
    def overdue(self) -> bool:
        return self.status in STEP_OPEN and self.due_at < timezone.now()


class RebuildItem(models.Model):
    """R-REC-2: repair, restore and improve a system or asset, and say how it is verified."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="rebuild_items"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=RebuildKind.choices)
    target = models.CharField(_("system or asset"), max_length=200)
    description = models.TextField(_("work"))
    owner = models.ForeignKey(
        PERSON, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    verification = models.CharField(_("how it is verified"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=RebuildStatus.choices, default=RebuildStatus.OPEN
    )
    result = models.TextField(_("result"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # The response's task carried over at the end (R-END-1): made once however often the
    # after-phase is opened.
    task = models.ForeignKey(
        "incidents.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["incident", "due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "task"],
                name="recovery_rebuild_once_per_task",
                condition=models.Q(task__isnull=False),
            )
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="recovery_rebuild_due")]

    def __str__(self) -> str:
        return f"{self.target}: {self.description[:60]}"

    @property
    def overdue(self) -> bool:
        return self.status == RebuildStatus.OPEN and self.due_at < timezone.now()


class SummaryReport(models.Model):
    """R-REV-1: the event summary report, led by the leadership group, written by all groups;
    CAC 2025 Art. 8's headings when a regulator needs it."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.CASCADE, related_name="summary_report"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    owner = models.ForeignKey(
        PERSON,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"))
    regulator_due_at = models.DateTimeField(_("regulator's deadline"), null=True, blank=True)
    security = models.BooleanField(_("security event"), default=False)
    # The impact table (PagerDuty's, in our business's numbers).
    customers_affected = models.PositiveBigIntegerField(
        _("customers affected"), null=True, blank=True
    )
    failed_transactions = models.PositiveBigIntegerField(
        _("failed transactions"), null=True, blank=True
    )
    records_affected = models.PositiveBigIntegerField(
        _("data records affected"), null=True, blank=True
    )
    calls_received = models.PositiveBigIntegerField(_("calls received"), null=True, blank=True)
    regulator_reports = models.PositiveIntegerField(
        _("reports made to regulators"), null=True, blank=True
    )
    # [{"business": "网上银行", "minutes": 95}, ...]
    interruptions = models.JSONField(
        _("interruption per business (minutes)"), default=list, blank=True
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    return_comment = models.TextField(_("returned with"), blank=True)
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="recovery_summary_due")]

    def __str__(self) -> str:
        return f"summary #{self.incident_id}"

    @property
    def overdue(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.IN_REVIEW) and (
            self.due_at < timezone.now()
        )


class SummarySection(models.Model):
    """One heading of the report, owned by a group, pre-filled from the incident's record."""

    report = models.ForeignKey(SummaryReport, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=24)
    position = models.PositiveSmallIntegerField()
    author = models.CharField(_("written by"), max_length=12, choices=Author.choices)
    required = models.BooleanField(default=True)
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "key"], name="recovery_one_section_a_key")
        ]

    def __str__(self) -> str:
        return self.key


class Review(models.Model):
    """R-REV-2: the review meeting on the summary report; its outcome is measures."""

    incident = models.OneToOneField(
        "incidents.Incident", on_delete=models.CASCADE, related_name="review"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.TO_SCHEDULE
    )
    owner = models.ForeignKey(
        PERSON,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"))
    scheduled_at = models.DateTimeField(_("meeting time"), null=True, blank=True)
    place = models.CharField(_("place or conference link"), max_length=300, blank=True)
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    attendees = models.ManyToManyField("org.Person", related_name="+", blank=True)
    answers = models.JSONField(_("the review's questions"), default=dict, blank=True)  # {key: bool}
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="recovery_review_due")]

    def __str__(self) -> str:
        return f"review #{self.incident_id}"

    @property
    def overdue(self) -> bool:
        return self.status != ReviewStatus.HELD and self.due_at < timezone.now()


class Measure(models.Model):
    """R-REV-2: one improvement measure of the company's register, from any source, owned by
    a person, closed only when verified with evidence or not done for an accepted reason."""

    title = models.CharField(_("measure"), max_length=300)
    details = models.TextField(_("details"), blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="measures"
    )
    change = models.CharField(_("what it changes"), max_length=14, choices=Change.choices)
    owner = models.ForeignKey(
        PERSON, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.OPEN
    )
    # What it changes, when it is one of ours.
    plan = models.ForeignKey(
        "plans.Plan",
        verbose_name=_("contingency plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    risk = models.ForeignKey(
        "risks.Risk",
        verbose_name=_("risk"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reserve_class = models.ForeignKey(
        "reserves.ReserveClass",
        verbose_name=_("class of spares"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule = models.ForeignKey(
        "monitoring.Rule",
        verbose_name=_("monitoring rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    done_note = models.TextField(_("what was done"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # An address that proves it: a document, a ticket, a drill's page ("/drills/12/").
    evidence_link = models.CharField(_("evidence link"), max_length=500, blank=True)
    evidence_note = models.TextField(_("how it was verified"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    not_doing_reason = models.TextField(_("why not doing"), blank=True)
    not_doing_proposed = models.BooleanField(default=False)  # awaiting the leadership group
    not_doing_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(fields=["status", "due"], name="measure_by_status_due"),
            models.Index(fields=["source", "due"], name="measure_by_source_due"),
            models.Index(fields=["owner", "status"], name="measure_of_owner"),
            models.Index(fields=["incident", "due"], name="measure_of_incident"),
        ]
        verbose_name = _("improvement measure")
        verbose_name_plural = _("improvement measures")

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return self.status not in (*MEASURE_CLOSED, MeasureStatus.DONE) and (
            self.due < timezone.localdate()
        )


class MeasureEvidence(StoredFile):
    """A file that proves a measure works: kept in the database like every attachment."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="evidence")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]


class ImprovementPlan(models.Model):
    """R-REV-2: the continuous-improvement plan of a year or a quarter, approved by the
    leadership group; the measures it held when approved are kept."""

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CiPlanStatus.choices, default=CiPlanStatus.DRAFT
    )
    measure_ids = models.JSONField(default=list, blank=True)  # as approved
    note = models.TextField(_("note"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "quarter"], name="recovery_one_ci_plan_a_quarter"
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=models.Q(quarter__isnull=True),
                name="recovery_one_ci_plan_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}" + (f" Q{self.quarter}" if self.quarter else "")
