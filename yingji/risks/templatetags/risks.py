"""{% level risk "current" %}: a risk's level as a coloured pill, from its own matrix."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def level(risk: Any, stage: str = "current") -> str:
    index = getattr(risk, f"{stage}_level")
    if index is None:
        return "—"
    found = risk.assessment.matrix.shape.levels[index]
    return pill(found)


@register.simple_tag
def pill(found: Any) -> str:
    if found is None:
        return "—"
    return format_html(
        '<span class="lvl lvl-{}" title="{}">{}</span>', found.colour, found.meaning, found.name
    )


@register.simple_tag
def score(risk: Any, stage: str = "current") -> str:
    likelihood = getattr(risk, f"{stage}_likelihood")
    impact = getattr(risk, f"{stage}_impact")
    return f"{likelihood}×{impact}" if likelihood and impact else "—"


@register.simple_tag(takes_context=True)
def manages_risks(context: Any) -> bool:
    """The matrices and settings link: the office and administrators."""
    from yingji.risks.queries import can_manage

    request = context.get("request")
    return request is not None and can_manage(request.user)
