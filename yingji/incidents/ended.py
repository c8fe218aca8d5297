"""What else happens when the leadership group orders the end (R-END-2): the after-phase app
(recovery plans, rebuild, the summary report, R-REC-1..R-REV-2) registers here; incidents
calls each listener inside the end order's transaction and never imports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ON_ENDED: list[Callable[[Any, Any], None]] = []


def register_on_ended(listener: Callable[[Any, Any], None]) -> None:
    """`listener(incident, actor)`, inside the end order's transaction."""
    if listener not in ON_ENDED:
        ON_ENDED.append(listener)


def ended(incident: Any, actor: Any) -> None:
    for listener in ON_ENDED:
        listener(incident, actor)
