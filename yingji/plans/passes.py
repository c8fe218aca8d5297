"""R-PLAN-3 on the clock: each approved plan is reviewed at least yearly. The owner
department's head and the office are reminded 30 days before the review is due and on the
day; from then on the plan shows as overdue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yingji.engine.registry import register_pass
from yingji.notify.models import Message
from yingji.notify.services import notify
from yingji.plans.models import Plan
from yingji.plans.services import review_reminder_recipients

AHEAD = timedelta(days=30)
BATCH = 200


@register_pass("plans.review_reminders", every=timedelta(hours=1))
def remind_reviews(cycle: Any) -> int:
    """Idempotent: each reminder has its own key, so running every hour sends it once."""
    today = timezone.localdate(cycle.now)
    due = Plan.objects.filter(review_due__isnull=False, review_due__lte=today + AHEAD)
    sent = 0
    for plan in due.select_related("owner_department__head").order_by("review_due")[:BATCH]:
        assert plan.review_due is not None  # filtered above
        kind = "due" if plan.review_due <= today else "soon"
        key = f"plan:{plan.pk}:review:{plan.review_due.isoformat()}:{kind}"
        if Message.objects.filter(key=key).exists():
            continue
        notify(
            event=f"plan.review_{kind}",
            context={"code": plan.code, "title": plan.title, "due": plan.review_due.isoformat()},
            recipients=review_reminder_recipients(plan),
            link=f"/plans/{plan.pk}/",
            key=key,
        )
        sent += 1
    return sent
