"""Integrations (one per sending system, each with its own key) and the alerts they send,
deduplicated by key: one open alert per integration and key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.intake.choices import URGENCY_COLOURS, AlertState, IntegrationKind
from yingji.oncall.choices import Urgency
from yingji.org.grades import Grade


class Integration(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=IntegrationKind.choices)
    key_hash = models.CharField(max_length=64, unique=True)  # only the hash of the key is kept
    key_hint = models.CharField(_("key ends with"), max_length=4, blank=True)
    responsible = models.ManyToManyField(
        "org.Person", blank=True, related_name="integrations", verbose_name=_("told of its alerts")
    )
    escalation_policy = models.ForeignKey(
        "oncall.EscalationPolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integrations",
        verbose_name=_("escalation policy"),
    )
    mapping = models.JSONField(_("mapping (generic JSON)"), default=dict, blank=True)
    # heartbeats (dead man's switch): a ping is due every `heartbeat_seconds`
    heartbeat_seconds = models.PositiveIntegerField(
        _("a ping at least every (seconds)"), null=True, blank=True
    )
    next_beat_due_at = models.DateTimeField(null=True, blank=True)
    # grouping: alerts with equal values of these labels that begin within the window of
    # the group's first alert join it (one page, one escalation)
    group_by = models.JSONField(_("group by labels"), default=list, blank=True)
    # 5 by default: a storm of alerts pages once per group and window, not once per alert
    # (issue 15: with 0, 2,305 payloads in 45 s sent each office member 157 SMS).
    group_window_minutes = models.PositiveSmallIntegerField(_("group window (minutes)"), default=5)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_received_at = models.DateTimeField(_("last received"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(
                fields=["next_beat_due_at"],
                name="heartbeat_due",
                condition=models.Q(next_beat_due_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.name


class IncomingAlert(models.Model):
    # no index of its own on the foreign keys: incoming_key leads with the integration, and
    # every index more is a write more per alert (measured: 10 indexes, 5 ms per 100 alerts)
    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    dedup_key = models.CharField(_("deduplication key"), max_length=255)
    state = models.CharField(
        _("state"), max_length=12, choices=AlertState.choices, default=AlertState.TRIGGERED
    )
    summary = models.CharField(_("summary"), max_length=1024)
    urgency = models.CharField(_("severity"), max_length=10, choices=Urgency.choices)
    source = models.CharField(_("source"), max_length=255, blank=True)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=1000, blank=True)
    started_at = models.DateTimeField(_("since"))
    last_received_at = models.DateTimeField(_("last received"))
    times_received = models.PositiveIntegerField(_("times received"), default=1)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    silenced = models.BooleanField(_("silenced"), default=False)  # opened under a silence
    noise_reason = models.CharField(_("marked as noise"), max_length=500, blank=True)
    # what the engine tells people (passes.py): the policy that pages it (the route's or the
    # integration's when it opened), its group, the notice due and when its opening was told
    policy = models.ForeignKey(
        "oncall.EscalationPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    group_key = models.CharField(max_length=255, blank=True)
    lead = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        verbose_name=_("grouped under"),
    )
    notice_due_at = models.DateTimeField(null=True, blank=True)
    told_at = models.DateTimeField(_("told"), null=True, blank=True)
    grade = models.CharField(_("grade if reported"), max_length=4, blank=True)  # its route's
    incident = models.ForeignKey(
        "incidents.Incident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incoming_alerts",
        db_index=False,
        verbose_name=_("reported as"),
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(
                fields=["notice_due_at"],
                name="incoming_notice_due",
                condition=models.Q(notice_due_at__isnull=False),
            ),
            models.Index(fields=["integration", "group_key", "-started_at"], name="incoming_group"),
            models.Index(fields=["state", "-started_at"], name="incoming_state_started"),
            models.Index(fields=["integration", "dedup_key"], name="incoming_key"),
        ]
        constraints = [  # PagerDuty's rule: one open alert per key; after resolve, a new one
            models.UniqueConstraint(
                fields=["integration", "dedup_key"],
                name="one_open_alert_per_key",
                condition=~models.Q(state="resolved"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.integration} {self.dedup_key} {self.state}"

    @property
    def colour(self) -> str:
        return URGENCY_COLOURS[self.urgency]


class Route(models.Model):
    """Alerts whose labels match go to this escalation policy (and severity) instead of their
    integration's default; the first matching route wins."""

    integration = models.ForeignKey(
        Integration, null=True, blank=True, on_delete=models.CASCADE, related_name="routes"
    )  # empty: every integration
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    matchers = models.JSONField(_("label matchers"), default=list)
    escalation_policy = models.ForeignKey(
        "oncall.EscalationPolicy",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("escalation policy"),
    )
    urgency = models.CharField(_("severity"), max_length=10, choices=Urgency.choices, blank=True)
    # the grade proposed when a matching alert is reported as an emergency (R-RESP-3)
    grade = models.CharField(
        _("grade if reported"), max_length=4, choices=Grade.choices, blank=True
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return " ".join(self.matchers)


class IntakeSilence(models.Model):
    """While it lasts, matching alerts are kept but nobody is paged or told."""

    integration = models.ForeignKey(
        Integration, null=True, blank=True, on_delete=models.CASCADE, related_name="silences"
    )
    matchers = models.JSONField(_("label matchers"), default=list)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-ends_at"]
        indexes = [models.Index(fields=["ends_at"], name="intake_silence_end")]

    def __str__(self) -> str:
        return f"{' '.join(self.matchers)} until {self.ends_at:%Y-%m-%d %H:%M}"


class InhibitRule(models.Model):
    """While an open alert matches `source`, new alerts matching `target` with the same
    values of the `equal` labels are muted (a data centre down mutes its hosts' warnings)."""

    source = models.JSONField(_("muting alert's matchers"), default=list)
    target = models.JSONField(_("muted alerts' matchers"), default=list)
    equal = models.JSONField(_("labels that must be equal"), default=list)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{' '.join(self.source)} mutes {' '.join(self.target)}"


class InhibitSource(models.Model):
    """An open alert matching an inhibit rule's source, under the values of the rule's equal
    labels: a new alert is checked against these by one index lookup, not by a scan of the
    open alerts. Written when the alert opens (or the rule is made), gone when it resolves."""

    rule = models.ForeignKey(InhibitRule, on_delete=models.CASCADE, related_name="sources")
    alert = models.ForeignKey(IncomingAlert, on_delete=models.CASCADE, related_name="+")
    equal_key = models.CharField(max_length=40)  # sha1 of the equal labels' values

    class Meta:
        indexes = [models.Index(fields=["rule", "equal_key"], name="inhibit_source_key")]
        constraints = [models.UniqueConstraint(fields=["rule", "alert"], name="one_source_row")]

    def __str__(self) -> str:
        return f"{self.alert_id} mutes under {self.rule_id}"
