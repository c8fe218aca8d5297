from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail (SMTP)")
    DINGTALK = "dingtalk", _("DingTalk robot")
    WECOM = "wecom", _("WeCom group robot")
    FEISHU = "feishu", _("Feishu / Lark bot")
    SLACK = "slack", _("Slack incoming webhook")
    TEAMS = "teams", _("Microsoft Teams workflow webhook")
    WEBHOOK = "webhook", _("Webhook (signed JSON)")
    SMS = "sms", _("SMS through an HTTP gateway")
    CAPTURE = "capture", _("Capture (trial: show what would be sent)")
    APPRISE = "apprise", _("Any service through apprise")


# Kinds that can reach one person: by address (e-mail, SMS) or by @-mentioning them in the
# robot's group chat (DingTalk, WeCom, Feishu user IDs or mobile numbers).
PERSONAL_KINDS = frozenset(
    {
        ChannelKind.EMAIL,
        ChannelKind.SMS,
        ChannelKind.CAPTURE,
        ChannelKind.DINGTALK,
        ChannelKind.WECOM,
        ChannelKind.FEISHU,
    }
)


# Robots' documented limits (im-webhooks.md); a channel may set a lower one.
DEFAULT_PER_MINUTE: dict[str, int] = {
    ChannelKind.DINGTALK: 20,
    ChannelKind.WECOM: 20,
    ChannelKind.FEISHU: 100,
    ChannelKind.SLACK: 60,  # Slack allows about one message a second per webhook
    ChannelKind.TEAMS: 60,
    ChannelKind.EMAIL: 600,
    ChannelKind.SMS: 300,
    ChannelKind.WEBHOOK: 600,
    ChannelKind.CAPTURE: 100000,
    ChannelKind.APPRISE: 60,
}


# Robots that also limit bursts: Feishu takes at most 5 requests a second per bot.
DEFAULT_PER_SECOND: dict[str, int] = {ChannelKind.FEISHU: 5}


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")  # a permanent error: retrying cannot help
    GAVE_UP = "gave_up", _("Gave up")  # temporary errors until the last attempt
