"""Incidents and their timelines."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.files import StoredFile
from yingji.incidents.choices import (
    ACTION_LABELS,
    PARTICIPANT_ROLES,
    TASK_OPEN,
    Decision,
    Status,
    TaskStatus,
)
from yingji.org.choices import Scenario
from yingji.org.criteria import Condition, Fact, parse_conditions
from yingji.org.grades import GRADE_COLOURS, Grade, ResponseLevel


class Incident(models.Model):
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=32, choices=Scenario.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REPORTED
    )
    exercise = models.BooleanField(_("exercise (drill)"), default=False)
    # Confidential (e.g. a breach): only participants and the leadership group see it, and
    # notices carry no title.
    confidential = models.BooleanField(_("confidential"), default=False)
    # R-RESP-3: what the report says.
    reporter = models.ForeignKey(
        "org.Person", verbose_name=_("reporter"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department that judges it"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    symptoms = models.TextField(_("symptoms"))
    scope = models.TextField(_("preliminary scope of impact"), blank=True)
    severity = models.CharField(
        _("preliminary severity"), max_length=4, choices=Grade.choices, blank=True
    )
    affected_systems = models.TextField(_("affected systems"), blank=True)
    contact = models.CharField(_("contact"), max_length=100, blank=True)
    # The assessed grade (starts as the reporter's preliminary severity) and, separately, the
    # response the leadership group ordered: a grade II event may get a level I response.
    grade = models.CharField(_("grade"), max_length=4, choices=Grade.choices, blank=True)
    response_level = models.CharField(
        _("response level"), max_length=1, choices=ResponseLevel.choices, blank=True
    )
    # Facts the grading rules and activation criteria are written in (criteria.Fact).
    affected_users = models.PositiveBigIntegerField(_("affected users"), null=True, blank=True)
    interruption_minutes = models.PositiveBigIntegerField(
        _("core business interrupted (minutes)"), null=True, blank=True
    )
    affected_regions = models.PositiveBigIntegerField(
        _("affected regions or branches"), null=True, blank=True
    )
    records_leaked = models.PositiveBigIntegerField(_("records leaked"), null=True, blank=True)
    loss_yuan = models.PositiveBigIntegerField(_("direct loss (yuan)"), null=True, blank=True)
    discovered_at = models.DateTimeField(_("discovered"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    # R-RESP-2: the department's judgement is due by then; empty once it is made.
    escalate_by = models.DateTimeField(_("judgement due"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_late = models.BooleanField(_("escalated by Yingji after the deadline"), default=False)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    # R-HANDLE-2: the next progress report is due by then (the cadence of the response level).
    progress_due = models.DateTimeField(_("next progress report due"), null=True, blank=True)
    end_recommended_at = models.DateTimeField(_("end recommended"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.TextField(_("why it was closed"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [
            # Composite, not partial: see engine.Timer.
            models.Index(fields=["status", "escalate_by"], name="incident_judgement_due"),
            models.Index(fields=["-reported_at", "-id"], name="incident_newest"),
            models.Index(fields=["status", "progress_due"], name="incident_progress_due"),
            # The list's filters, each newest first (a filter matching few rows must not
            # scan the whole table).
            models.Index(fields=["status", "-reported_at", "-id"], name="incident_by_status"),
            models.Index(fields=["grade", "-reported_at", "-id"], name="incident_by_grade"),
            models.Index(fields=["category", "-reported_at", "-id"], name="incident_by_category"),
            models.Index(
                fields=["department", "-reported_at", "-id"], name="incident_by_department"
            ),
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def grade_colour(self) -> str:
        return GRADE_COLOURS.get(self.grade or self.severity, "")

    def facts(self) -> dict[str, int | None]:
        return {fact: getattr(self, fact) for fact in Fact.values}

    def key_times(self) -> dict[str, Any]:
        """occurred, discovered, reported, escalated, assessed, activated, end recommended,
        ended or closed: the evidence an auditor asks for first."""
        return {name: getattr(self, f"{name}_at") for name in KEY_TIMES}

    def durations(self) -> dict[str, int | None]:
        """Seconds between key times (None while the later one has not happened)."""
        return {
            name: _seconds(getattr(self, start), getattr(self, end))
            for name, (start, end) in DURATIONS.items()
        }


KEY_TIMES = (
    "occurred",
    "discovered",
    "reported",
    "escalated",
    "assessed",
    "activated",
    "end_recommended",
    "ended",
    "closed",
)
DURATIONS = {
    "to_escalate": ("reported_at", "escalated_at"),  # R-RESP-2: the 15-minute rule
    "to_activate": ("escalated_at", "activated_at"),
    "response": ("activated_at", "ended_at"),
    "occurred_to_ended": ("occurred_at", "ended_at"),
}


def _seconds(start: Any, end: Any) -> int | None:
    return int((end - start).total_seconds()) if start and end else None


class TimelineEntry(models.Model):
    """What happened to an incident, in order: every step writes one (R-HANDLE-2, audits)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(  # empty: Yingji itself (a deadline passed)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    text = models.TextField(_("text"), blank=True)
    clause = models.CharField(_("regulation clause"), max_length=16, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["incident", "at"], name="timeline_of_incident")]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class Participant(models.Model):
    """Who takes part: they see the incident even when it is confidential."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=32)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "person"], name="one_participation")
        ]
        indexes = [models.Index(fields=["person", "incident"], name="participant_of_person")]

    def __str__(self) -> str:
        return f"{self.person} @ #{self.incident_id}"

    @property
    def role_label(self) -> str:
        return str(PARTICIPANT_ROLES.get(self.role, self.role))


class Assessment(models.Model):
    """R-ACT-1: the leadership group's emergency meeting and its decision, as one record."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="assessments")
    meeting_at = models.DateTimeField(_("meeting time"))
    place = models.CharField(_("place or conference link"), max_length=300, blank=True)
    attendees = models.ManyToManyField("org.Person", related_name="+", blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    plans = models.TextField(_("plans activated"), blank=True)
    # The approved plan versions activated: the version used is recorded (R-ACT-1).
    plan_versions = models.ManyToManyField("plans.PlanVersion", related_name="+", blank=True)
    response_level = models.CharField(
        _("response level"), max_length=1, choices=ResponseLevel.choices, blank=True
    )
    criteria_met = models.JSONField(_("criteria met"), default=list, blank=True)
    assemble_at = models.DateTimeField(_("assemble at"), null=True, blank=True)
    assemble_place = models.CharField(_("assembly place"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.decision} {self.decided_at:%Y-%m-%d %H:%M}"


class HandlingPlan(models.Model):
    """R-HANDLE-1: the expert group's analysis and handling plan; every revision is kept."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="handling_plans")
    version = models.PositiveIntegerField()
    analysis = models.TextField(_("analysis"))
    plan = models.TextField(_("handling plan"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "version"], name="one_plan_version")
        ]

    def __str__(self) -> str:
        return f"#{self.incident_id} v{self.version}"


class Task(models.Model):
    """R-HANDLE-1: one piece of the handling, for one person, with a checklist."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    assignee = models.ForeignKey(
        "org.Person",
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # [{"text": ..., "done": bool}, ...]
    checklist = models.JSONField(_("checklist"), default=list, blank=True)
    # The plan step it came from: a step becomes a task once per incident, however often the
    # plan is activated.
    plan_step = models.ForeignKey(
        "plans.PlanStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Compare-and-swap counter: two people ticking at once never lose each other's change.
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    closing_reason = models.CharField(
        _("why cancelled or carried over"), max_length=500, blank=True
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["assignee", "status"], name="task_of_assignee")]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "plan_step"],
                name="one_task_per_plan_step",
                condition=models.Q(plan_step__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def overdue(self) -> bool:
        return self.status in TASK_OPEN and self.due_at is not None and self.due_at < timezone.now()


class ProgressReport(models.Model):
    """R-HANDLE-2: structured, so the leadership group reads the same four things each time."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="progress")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    done = models.TextField(_("done so far"))
    current = models.TextField(_("current state"), blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    eta = models.DateTimeField(_("expected recovery"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.at:%Y-%m-%d %H:%M}"


class Evaluation(models.Model):
    """R-END-1: the experts' recovery evaluation that comes with the end recommendation."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="evaluations")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    performance_normal = models.BooleanField(_("system performance back to normal"))
    business_stable = models.BooleanField(_("business running stably"))
    residual_risks = models.TextField(_("residual risks"), blank=True)
    trial_run_until = models.DateTimeField(_("trial run until"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.at:%Y-%m-%d %H:%M}"


class GradingRule(models.Model):
    """One row of the grading table: when all its conditions hold, the incident is at least
    this grade; of several matching rules the most severe wins."""

    grade = models.CharField(_("grade"), max_length=4, choices=Grade.choices)
    conditions = models.JSONField(_("conditions"))  # [[fact, operator, threshold], ...]
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["grade", "pk"]

    def __str__(self) -> str:
        return f"{self.grade}: {self.conditions}"

    def parsed(self) -> list[Condition]:
        return parse_conditions(self.conditions)


class NoticeTemplate(models.Model):
    """The all-staff notices (R-ACT-2, R-END-2), editable by the office."""

    kind = models.CharField(max_length=16, unique=True)  # "activation" or "end"
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.kind


class Attachment(StoredFile):
    """R-RESP-3: a screenshot or document; kept in the database so a backup of the database
    is a backup of the evidence, and every read goes through the incident's access check."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
