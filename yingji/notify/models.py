"""Channels, messages and the outbox of deliveries (one row per recipient per channel)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.notify.choices import ChannelKind, DeliveryStatus
from yingji.org.choices import Language


class Channel(models.Model):
    """A configured way out: the SMTP server for personal e-mail, or a chat robot."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    config = models.JSONField(_("settings"), default=dict, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Personal channels carry notices to people (e-mail to their address); group channels
    # post to a chat. All-staff group channels also carry broadcasts (R-ACT-2, R-END-2).
    personal = models.BooleanField(_("for personal notices"), default=False)
    all_staff = models.BooleanField(_("all-staff channel"), default=False)
    # The canary: a synthetic notice at a set interval, so whoever watches this channel
    # notices when the engine (or the channel) has stopped.
    canary = models.BooleanField(_("self-check (canary) channel"), default=False)
    per_minute = models.PositiveIntegerField(_("messages per minute"), null=True, blank=True)
    # A group chat reads one language; notices to people follow each person's own.
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)
    # Order of personal channels when a receipt is overdue: e-mail first, then SMS, ...
    position = models.PositiveSmallIntegerField(_("order for unconfirmed notices"), default=10)
    broken_reason = models.TextField(_("broken because"), blank=True)
    # Sends that failed for a temporary reason (refused, timed out, 5xx) since the last one
    # that got through: enough of them over long enough mark the channel broken.
    failures_in_row = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)
    burst_started_at = models.DateTimeField(null=True, blank=True)  # per-second limits (Feishu)
    burst_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    event = models.CharField(_("event"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    # The facts an event's template is rendered from, in each recipient's language; title
    # and text above are that rendering in the organisation's language (lists, search).
    context = models.JSONField(_("facts"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    require_receipt = models.BooleanField(_("receipt required"), default=False)
    broadcast = models.BooleanField(_("all-staff broadcast"), default=False)
    escalate_minutes = models.PositiveIntegerField(
        _("re-send unconfirmed after (minutes)"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    reminded_at = models.DateTimeField(_("last reminder"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """The outbox row: created in the same transaction as the change that causes it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    person = models.ForeignKey(
        "org.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.ForeignKey(  # empty: the in-app inbox
        Channel, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    address = models.CharField(_("address"), max_length=254, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # 0 for notices to named people or groups, 1 for all-staff broadcasts: an escalation to
    # the leadership group must not wait behind ten thousand copies of a broadcast.
    priority = models.PositiveSmallIntegerField(default=0)
    escalation_step = models.PositiveSmallIntegerField(default=0)  # 0: sent with the notice
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_response = models.TextField(_("provider's answer"), blank=True)
    receipt_token = models.CharField(max_length=43, unique=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            # Composite, not partial: see engine.Timer.
            models.Index(fields=["status", "priority", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["status", "lease_until"], name="delivery_lease"),
            models.Index(fields=["person", "confirmed_at"], name="delivery_inbox"),
        ]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self) -> str:
        return f"{self.message} → {self.person or self.channel}"
