"""Duty rosters (值班表): layers of rotations in a roster's own time zone, temporary
overrides, and holiday calendars kept as data (the State Council's notice changes yearly)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.oncall.choices import DayFilter, DayKind, EscalationEnd, Rotation, StepTarget
from yingji.org.choices import GroupKind

DUTY_GROUPS = [
    (GroupKind.LEADERSHIP, _("the leadership group (duty leader)")),
    (GroupKind.EXPERT, _("the expert group (duty expert)")),
]


class HolidayCalendar(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    calendar = models.ForeignKey(HolidayCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)  # 国庆节, 春节调休

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="one_kind_a_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class Roster(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    calendar = models.ForeignKey(
        HolidayCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rosters",
        verbose_name=_("holiday calendar"),
    )
    description = models.TextField(_("description"), blank=True)
    # The duty roster of the leadership group (值班领导) or the expert group: its person on
    # duty is paged when a report is escalated as an emergency (R-RESP-2).
    duty_for = models.CharField(_("duty roster of"), max_length=16, blank=True, choices=DUTY_GROUPS)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Layer(models.Model):
    """One rotation: participants in order, handing over at a local time every day or week.
    Where layers overlap, the higher priority wins (e.g. a holiday layer above the weekday
    one)."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(_("name"), max_length=120)
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    rotation = models.CharField(_("rotation"), max_length=10, choices=Rotation.choices)
    handoff = models.TimeField(_("handoff time"))
    start_date = models.DateField(_("first shift on"))
    days = models.CharField(
        _("applies on"), max_length=10, choices=DayFilter.choices, default=DayFilter.ALL
    )
    members = models.JSONField(_("participants in order"), default=list)  # Person ids

    class Meta:
        ordering = ["roster", "-priority", "pk"]

    def __str__(self) -> str:
        return f"{self.roster} / {self.name}"


class Override(models.Model):
    """Someone takes the duty for a while (leave, a swap); above every layer."""

    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="overrides")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["roster", "ends_at"], name="override_roster_end")]

    def __str__(self) -> str:
        return f"{self.roster} {self.person} {self.starts_at:%Y-%m-%d %H:%M}"


class EscalationPolicy(models.Model):
    """Who is told, in what order, how long apart, until someone acknowledges (认领)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    repeat = models.PositiveSmallIntegerField(_("repeat the steps"), default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    delay_minutes = models.PositiveIntegerField(_("minutes after the previous step"), default=0)
    target = models.CharField(_("notify"), max_length=10, choices=StepTarget.choices)
    roster = models.ForeignKey(
        Roster, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.ForeignKey(
        "notify.Channel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["policy", "position"]

    def __str__(self) -> str:
        return f"{self.policy} #{self.position}"


class Escalation(models.Model):
    """One alert's way through a policy. The steps are a snapshot taken when the alert
    opened, so changing the policy never reroutes an alert already under way; `next_at` is
    its due-time column (STYLE.md convention 4)."""

    alert = models.OneToOneField(
        "intake.IncomingAlert", on_delete=models.CASCADE, related_name="escalation"
    )
    policy_name = models.CharField(max_length=120)
    steps = models.JSONField(default=list)
    repeat = models.PositiveSmallIntegerField(default=0)
    step = models.PositiveSmallIntegerField(default=0)  # the next step to run
    round = models.PositiveSmallIntegerField(default=0)
    next_at = models.DateTimeField(null=True, blank=True)
    ended = models.CharField(max_length=12, choices=EscalationEnd.choices, blank=True)
    told = models.JSONField(default=list)  # [{"step", "round", "at", "person"|"channel"|"nobody"}]
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_at"],
                name="escalation_due",
                condition=models.Q(next_at__isnull=False, claim_token=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} step {self.step} round {self.round}"


class ContactRule(models.Model):
    """How a person wants to be paged for alerts of one severity: which of the personal
    channels (e-mail, SMS, DingTalk, …) at once, always with the in-app inbox, and which
    next if the alert is still unacknowledged `then_minutes` later."""

    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="contact_rules")
    urgency = models.CharField(_("severity"), max_length=10)
    channels = models.ManyToManyField(
        "notify.Channel", blank=True, related_name="+", verbose_name=_("channels")
    )
    then_channels = models.ManyToManyField(
        "notify.Channel",
        blank=True,
        related_name="+",
        verbose_name=_("then, if still unacknowledged"),
    )
    then_minutes = models.PositiveSmallIntegerField(_("after (minutes)"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "urgency"], name="one_rule_per_severity")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.urgency}"
