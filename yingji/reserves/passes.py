"""R-RES-1 on the clock: inspections per class cycle remind the custodian a week ahead, and
the backup custodian too once three days late."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yingji.engine.registry import register_pass
from yingji.reserves import services


@register_pass("reserves.inspection_reminders", every=timedelta(hours=1))
def remind(cycle: Any) -> int:
    return services.remind_inspections(timezone.localdate(cycle.now))
