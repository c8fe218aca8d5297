"""`{{ message|notice }}`: a message in the reader's language (see notify.rendering)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from yingji.notify import escaping
from yingji.notify.rendering import Notice, event_kind, notice_for

register = template.Library()


@register.filter
def notice(message: Any) -> Notice:
    return notice_for(message, get_language())


@register.filter
def chat_markdown(text: Any) -> str:
    """Outside text in a chat's markdown: shown as typed, never links, headings or @s."""
    return escaping.markdown(text)


@register.filter
def one_line(text: Any) -> str:
    return escaping.one_line(text)


@register.filter
def kind(message: Any) -> str:
    """Which kind of notice, in words ("Task", "Incident"), not the event's code."""
    return event_kind(message.event)
