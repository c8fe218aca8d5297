from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.notify.choices import PERSONAL_KINDS, ChannelKind
from yingji.org.choices import Language

# Settings a channel kind uses; secrets are never shown again once saved.
CONFIG_FIELDS = (
    "url",
    "secret",
    "keyword",
    "host",
    "port",
    "security",
    "username",
    "password",
    "from_address",
    "body_format",
    "body_template",
    "success_field",
    "success_value",
    "auth_header",
)
SECRET_FIELDS = ("secret", "password", "auth_header")
# The channel's own columns, as the form names them.
CHANNEL_FIELDS = (
    "name",
    "kind",
    "enabled",
    "personal",
    "all_staff",
    "canary",
    "position",
    "per_minute",
    "language",
)

K = ChannelKind
SMTP_FIELDS = ("host", "port", "security", "username", "password", "from_address")
SMS_FIELDS = ("body_format", "body_template", "success_field", "success_value", "auth_header")
ROBOTS = {K.DINGTALK, K.WECOM, K.FEISHU}
# Which kinds use which field: the page shows only the chosen kind's (yingji.js), and all
# of them without JavaScript.
FIELD_KINDS: dict[str, set[str]] = {
    "personal": set(PERSONAL_KINDS),
    "all_staff": ROBOTS | {K.SLACK, K.TEAMS, K.WEBHOOK, K.APPRISE, K.CAPTURE},
    "position": set(PERSONAL_KINDS),
    "url": ROBOTS | {K.SLACK, K.TEAMS, K.WEBHOOK, K.SMS, K.APPRISE},
    "secret": {K.DINGTALK, K.FEISHU, K.WEBHOOK},
    "keyword": {K.DINGTALK},
    **dict.fromkeys(
        ("host", "port", "security", "username", "password", "from_address"), {K.EMAIL}
    ),
    **dict.fromkeys(
        ("body_format", "body_template", "success_field", "success_value", "auth_header"), {K.SMS}
    ),
}


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(
        label=_("kind"), choices=ChannelKind.choices, widget=forms.Select(attrs={"data-kind": ""})
    )
    enabled = forms.BooleanField(label=_("enabled"), required=False, initial=True)
    personal = forms.BooleanField(
        label=_("for personal notices"),
        required=False,
        help_text=_(
            "Carries notices to each person: e-mail and SMS to their address; DingTalk, "
            "WeCom and Feishu robots @ the person in the robot's group by their user ID "
            "(DingTalk and WeCom also by mobile)."
        ),
    )
    language = forms.ChoiceField(
        label=_("language"),
        required=False,
        choices=[("", _("Organisation default")), *Language.choices],
        help_text=_("For group chats; notices to people follow each person's language."),
    )
    all_staff = forms.BooleanField(
        label=_("all-staff channel"),
        required=False,
        help_text=_("A chat every employee is in: carries all-staff broadcasts."),
    )
    position = forms.IntegerField(
        label=_("order for unconfirmed notices"),
        required=False,
        min_value=0,
        max_value=100,
        initial=10,
        help_text=_(
            "Personal channels are tried in this order when a receipt is overdue "
            "(e.g. e-mail 1, SMS 2)."
        ),
    )
    canary = forms.BooleanField(
        label=_("self-check (canary) channel"),
        required=False,
        help_text=_(
            "Receives a self-check notice every hour (YINGJI_CANARY_MINUTES): if it "
            "stops arriving, the engine or the channel has stopped."
        ),
    )
    per_minute = forms.IntegerField(
        label=_("messages per minute"),
        required=False,
        min_value=1,
        help_text=_("Empty: the robot's documented limit (DingTalk and WeCom 20, Feishu 100)."),
    )
    url = forms.CharField(
        label=_("Robot or webhook address"),
        required=False,
        max_length=500,
        help_text=_(
            "DingTalk: …/robot/send?access_token=…; WeCom: …/webhook/send?key=…; "
            "Feishu: …/bot/v2/hook/…; apprise: any apprise URL, e.g. mailto://… or json://…"
        ),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "DingTalk 加签 (SEC…), Feishu 签名校验, or the webhook's HMAC secret. "
            "Leave empty to keep the saved one."
        ),
    )
    keyword = forms.CharField(label=_("DingTalk keyword"), required=False, max_length=50)
    host = forms.CharField(label=_("SMTP host"), required=False, max_length=200)
    port = forms.IntegerField(label=_("SMTP port"), required=False, min_value=1, max_value=65535)
    security = forms.ChoiceField(
        label=_("SMTP security"),
        required=False,
        choices=[("starttls", "STARTTLS"), ("ssl", "SSL/TLS"), ("none", _("none"))],
    )
    username = forms.CharField(label=_("SMTP user"), required=False, max_length=200)
    password = forms.CharField(
        label=_("SMTP password"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the saved one."),
    )
    from_address = forms.CharField(label=_("Sender address"), required=False, max_length=254)

    body_format = forms.ChoiceField(
        label=_("SMS body format"),
        required=False,
        choices=[("json", "JSON"), ("form", "application/x-www-form-urlencoded")],
    )
    body_template = forms.CharField(
        label=_("SMS body template"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'With {{mobile}} and {{text}}, e.g. {"phone": "{{mobile}}", "msg": "{{text}}"}'
        ),
    )
    success_field = forms.CharField(
        label=_("Success field in the answer"),
        required=False,
        max_length=100,
        help_text=_("e.g. Code or result.code; empty: any HTTP 2xx is success."),
    )
    success_value = forms.CharField(label=_("Success value"), required=False, max_length=100)
    auth_header = forms.CharField(
        label=_("Authorization header"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Sent as Authorization: … Leave empty to keep the saved one."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kinds in FIELD_KINDS.items():
            self.fields[name].widget.attrs["data-kinds"] = " ".join(sorted(kinds))

    def config(self, saved: dict[str, Any]) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) for name in CONFIG_FIELDS}
        for name in SECRET_FIELDS:
            if not values[name] and saved.get(name):
                values[name] = saved[name]
        return {k: v for k, v in values.items() if v not in (None, "")}


class BroadcastForm(forms.Form):
    title = forms.CharField(
        label=pgettext_lazy("notice", "Title"), max_length=200
    )  # not a job title
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    require_receipt = forms.BooleanField(
        label=_("Ask everyone to confirm receipt"), required=False, initial=True
    )
    escalate_minutes = forms.IntegerField(
        label=_("re-send unconfirmed after (minutes)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
        initial=15,
        help_text=_(
            "Then on each person's next channel; when none is left, the office gets "
            "a list of people to call. Empty: no reminders."
        ),
    )
