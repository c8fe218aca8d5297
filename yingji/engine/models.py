"""The engine's own bookkeeping. Work itself lives in the domains' tables as deadline columns."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    """One row per periodic pass: claiming `next_run_at` with a conditional update makes the
    pass run once per period however many workers there are."""

    name = models.CharField(_("pass"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run"))
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_items = models.PositiveIntegerField(_("items in the last run"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic pass")
        verbose_name_plural = _("periodic passes")

    def __str__(self) -> str:
        return self.name


class Worker(models.Model):
    """A running engine's heartbeat, for /healthz, /metrics and the admin."""

    worker_id = models.CharField(_("worker"), max_length=100, unique=True)
    hostname = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(_("started"))
    last_cycle_at = models.DateTimeField(_("last cycle"), db_index=True)
    last_cycle_ms = models.FloatField(_("last cycle duration (ms)"), default=0)
    cycles = models.PositiveBigIntegerField(_("cycles"), default=0)
    items = models.PositiveBigIntegerField(_("items handled"), default=0)
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        ordering = ["-last_cycle_at"]
        verbose_name = _("engine worker")
        verbose_name_plural = _("engine workers")

    def __str__(self) -> str:
        return self.worker_id


class TimerStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Timer(models.Model):
    """A durable deadline: at `due_at` the engine calls the handler named `handler` with
    `payload`. Survives restarts; `key` makes scheduling idempotent."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    handler = models.CharField(_("handler"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=TimerStatus.choices, default=TimerStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The engine's two questions, answered from an index however many timers are done
            # or far in the future. Composite rather than partial: SQLite cannot use a partial
            # index when the status comes as a bound parameter, as it always does from Django.
            models.Index(fields=["status", "due_at"], name="timer_due"),
            models.Index(fields=["status", "lease_until"], name="timer_lease"),
        ]
        verbose_name = _("timer")
        verbose_name_plural = _("timers")

    def __str__(self) -> str:
        return self.key
