"""Escalations on the clock: due steps are claimed (so two workers never run the same one),
run, and the next step scheduled; a worker that died mid-step leaves a lease that expires."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from yingji.engine.claims import claim_due, requeue_expired
from yingji.engine.registry import oldest_due, register_pass
from yingji.oncall.escalation import escalation_run
from yingji.oncall.models import Escalation

BATCH = 200
LEASE = timedelta(minutes=2)


def _oldest_due() -> Any:
    return oldest_due(Escalation.objects.filter(claim_token=""), "next_at")


@register_pass("oncall.escalations", oldest_due=_oldest_due)
def run_due_escalations(cycle: Any) -> int:
    ids = claim_due(
        Escalation,
        due=Q(next_at__lte=cycle.now, claim_token=""),
        order_by=("next_at",),
        claim={"lease_until": cycle.now + LEASE},
        batch=BATCH,
    )
    ran = 0
    for escalation in Escalation.objects.filter(pk__in=ids).order_by("next_at"):
        ran += escalation_run(escalation=escalation, now=timezone.now())
    return ran


@register_pass("oncall.reaper", every=timedelta(minutes=1))
def requeue_abandoned(cycle: Any) -> int:
    expired = Q(lease_until__lt=cycle.now) & ~Q(claim_token="")
    return requeue_expired(Escalation, expired=expired, reset={"lease_until": None})
