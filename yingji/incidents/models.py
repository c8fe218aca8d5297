"""Incidents and their timelines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.incidents.choices import ACTION_LABELS, GRADE_COLOURS, Grade, Status
from yingji.org.choices import Scenario


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
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    # R-RESP-2: the department's judgement is due by then; empty once it is made.
    escalate_by = models.DateTimeField(_("judgement due"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    escalated_late = models.BooleanField(_("escalated by Yingji after the deadline"), default=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.TextField(_("why it was closed"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_at", "-pk"]
        indexes = [
            # Composite, not partial: see engine.Timer.
            models.Index(fields=["status", "escalate_by"], name="incident_judgement_due"),
            models.Index(fields=["-reported_at", "-id"], name="incident_newest"),
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def grade_colour(self) -> str:
        return GRADE_COLOURS.get(self.severity, "")


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
