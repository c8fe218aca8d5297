"""24-hour monitoring (R-MON-1..2): the assets watched, the checks run on them, the samples
they and the agents report, the threshold rules over those samples, and the alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.monitoring.choices import (
    SEVERITY_COLOURS,
    AlertKind,
    AlertStatus,
    AssetKind,
    CheckKind,
    Operator,
    Phase,
    Severity,
)


class Asset(models.Model):
    """A key information system, network device or production facility (R-MON-1)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AssetKind.choices)
    core = models.BooleanField(_("carries core business"), default=False)
    owner_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible = models.ManyToManyField(
        "org.Person", verbose_name=_("responsible people"), blank=True, related_name="+"
    )
    location = models.CharField(pgettext_lazy("asset", "location"), max_length=200, blank=True)
    services = models.TextField(_("business services carried"), blank=True)
    plans = models.ManyToManyField(
        "plans.Plan", verbose_name=_("plans that cover it"), blank=True, related_name="+"
    )
    # sha256 of the agent's token: the token itself is shown once, when it is made.
    agent_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Check(models.Model):
    """A probe the engine runs on a schedule; `next_run_at` is its due-time column."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="checks")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=CheckKind.choices)
    target = models.CharField(_("target"), max_length=500)  # a URL or host:port
    config = models.JSONField(_("settings"), default=dict, blank=True)
    interval_seconds = models.PositiveIntegerField(_("every (seconds)"), default=60)
    timeout_seconds = models.PositiveIntegerField(_("timeout (seconds)"), default=10)
    enabled = models.BooleanField(_("enabled"), default=True)
    next_run_at = models.DateTimeField(default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_ok = models.BooleanField(_("last result"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["asset", "name"]
        indexes = [
            models.Index(
                fields=["next_run_at"],
                name="check_due",
                condition=models.Q(enabled=True, claim_token=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset.code} {self.name}"


class Series(models.Model):
    """One metric of one asset with one set of labels; the latest value is kept beside it
    so list pages never scan samples."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="series")
    metric = models.CharField(_("metric"), max_length=200)
    labels = models.JSONField(default=dict, blank=True)
    labels_key = models.CharField(max_length=500, blank=True)  # canonical k=v,k=v
    last_at = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["asset", "metric", "labels_key"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "metric", "labels_key"], name="one_series")
        ]

    def __str__(self) -> str:
        labels = f"{{{self.labels_key}}}" if self.labels_key else ""
        return f"{self.metric}{labels}"


class Sample(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["series", "at"], name="sample_series_at")]

    def __str__(self) -> str:
        return f"{self.series_id} {self.at:%Y-%m-%d %H:%M:%S} {self.value}"


class Rule(models.Model):
    """R-MON-2: "CPU above 90% for 5 minutes pages the on-duty engineer". Evaluated sample by
    sample, so "for 5 minutes" means 5 minutes of samples, not of evaluation ticks."""

    name = models.CharField(_("name"), max_length=200)
    metric = models.CharField(_("metric"), max_length=200)
    asset = models.ForeignKey(  # empty: every asset reporting the metric
        Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    labels = models.JSONField(_("label matchers"), default=dict, blank=True)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    threshold = models.FloatField(_("threshold"))
    for_seconds = models.PositiveIntegerField(_("sustained for (seconds)"), default=0)
    # Hysteresis: a firing alert recovers only past this value, held this long.
    recover_threshold = models.FloatField(_("recovery threshold"), null=True, blank=True)
    recover_seconds = models.PositiveIntegerField(_("recovery observed for (seconds)"), default=0)
    no_data_seconds = models.PositiveIntegerField(_("no data for (seconds)"), null=True, blank=True)
    # "M of N" mode instead of a sustained duration: M breaching samples of the last N.
    m = models.PositiveSmallIntegerField(_("M (breaching samples)"), null=True, blank=True)
    n = models.PositiveSmallIntegerField(_("of the last N samples"), null=True, blank=True)
    # Active hours in the organisation's time zone; empty: always. until < from spans midnight.
    active_from = models.TimeField(_("active from"), null=True, blank=True)
    active_until = models.TimeField(_("active until"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    repeat_minutes = models.PositiveIntegerField(_("repeat every (minutes)"), default=0)
    max_sends = models.PositiveIntegerField(_("at most (notices)"), default=3)
    eval_seconds = models.PositiveIntegerField(_("evaluate every (seconds)"), default=15)
    enabled = models.BooleanField(_("enabled"), default=True)
    next_eval_at = models.DateTimeField(default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["next_eval_at"],
                name="rule_due",
                condition=models.Q(enabled=True, claim_token=""),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleState(models.Model):
    """Where one rule stands for one series; the samples after `last_sample_at` are next."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="states")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.OK)
    since = models.DateTimeField(null=True, blank=True)
    last_sample_at = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    window = models.CharField(max_length=64, blank=True)  # M of N: the last N samples' verdicts

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "series"], name="one_state_per_series")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.series_id} {self.phase}"


class Alert(models.Model):
    """One firing of one rule on one series, until it resolves (R-MON-2)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="alerts")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="alerts")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=10, choices=AlertKind.choices, default=AlertKind.THRESHOLD)
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.FIRING
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    value = models.FloatField(_("value"), null=True, blank=True)
    started_at = models.DateTimeField(_("since"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    noise_reason = models.CharField(_("marked as noise"), max_length=500, blank=True)
    sends = models.PositiveIntegerField(default=0)
    next_notify_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-started_at"], name="alert_status_started"),
            models.Index(
                fields=["next_notify_at"],
                name="alert_repeat_due",
                condition=models.Q(status="firing"),
            ),
        ]
        constraints = [  # one open alert per rule and series: the fingerprint
            models.UniqueConstraint(
                fields=["rule", "series", "kind"],
                name="one_firing_alert",
                condition=models.Q(status="firing"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.series} {self.status}"

    @property
    def colour(self) -> str:
        return SEVERITY_COLOURS[self.severity]


class Silence(models.Model):
    """A maintenance window: alerts on the asset still open and close, but tell nobody."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="silences")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.starts_at:%Y-%m-%d %H:%M} {self.reason}"


class SampleRollup(models.Model):
    """One series' samples of one hour, summed up: charts over days read these, and they
    outlive the raw samples (YINGJI_ROLLUP_RETENTION_DAYS)."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    count = models.PositiveIntegerField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    total = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "hour"], name="one_rollup_hour")]

    def __str__(self) -> str:
        return f"{self.series_id} {self.hour:%Y-%m-%d %H}:00 n={self.count}"

    @property
    def average(self) -> float:
        return self.total / self.count
