"""`{% show item %}` renders a registered card or panel (core.extensions) in the page's
context, with the card's own context on top."""

from typing import Any

from django import template
from django.utils.safestring import SafeString

from yingji.core.extensions import Shown

register = template.Library()


@register.simple_tag(takes_context=True)
def show(context: template.Context, item: Shown) -> SafeString:
    assert context.template is not None
    card = context.template.engine.get_template(item.template)
    with context.push(**item.context):
        rendered: Any = card.render(context)
    return SafeString(rendered)
