"""Claim short, work outside, record after (STYLE.md convention 5), for any model with a
`claim_token` column.

On PostgreSQL the due rows are locked with SKIP LOCKED so concurrent workers take disjoint
batches without waiting. SQLite ignores row locks, but its IMMEDIATE transactions serialise
writers; either way the conditional update tagged with a fresh token decides, and only rows
that carry our token are ours."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q


def claim_due(
    model: Any, *, due: Q, order_by: tuple[str, ...], claim: dict[str, Any], batch: int
) -> list[int]:
    """Mark up to `batch` due rows as ours (applying `claim`) and return their ids."""
    with transaction.atomic():
        candidates = model.objects.filter(due).order_by(*order_by)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:batch])
        if not ids:
            return []
        token = uuid.uuid4().hex
        model.objects.filter(due, pk__in=ids).update(claim_token=token, **claim)
        return list(
            model.objects.filter(pk__in=ids, claim_token=token).values_list("pk", flat=True)
        )


def retry_backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 30 s, 1 min, 2 min ... capped at 1 h, with jitter so
    that items that failed together do not retry together."""
    seconds = min(3600, 30 * 2 ** (attempts - 1))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def requeue_expired(model: Any, *, expired: Q, reset: dict[str, Any]) -> int:
    """The reaper: work whose lease ran out belongs to a worker that died; hand it back."""
    return model.objects.filter(expired).update(claim_token="", **reset)
