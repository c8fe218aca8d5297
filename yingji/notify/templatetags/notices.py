"""`{{ message|notice }}`: a message in the reader's language (see notify.rendering)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from yingji.notify.rendering import Notice, notice_for

register = template.Library()


@register.filter
def notice(message: Any) -> Notice:
    return notice_for(message, get_language())
