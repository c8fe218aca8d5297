"""The demo's channels: capture only, so nothing leaves the machine."""

from __future__ import annotations

from yingji.notify.models import Channel
from yingji.notify.services import channel_save
from yingji.org.demo import DEMO


def load_demo_channels() -> None:
    """Trial channels: notices land in the in-app inbox and the "what would be sent" view,
    so a newcomer sees the whole flow without any e-mail server or chat robot."""
    trials = [
        ("演示：个人邮件（捕获）", {"personal": True}),
        ("演示：全员群（捕获）", {"all_staff": True}),
    ]
    for name, use in trials:
        if not Channel.objects.filter(name=name).exists():
            channel_save(actor=DEMO, channel=None, name=name, kind="capture", config={}, **use)
