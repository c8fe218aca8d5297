"""The audit trail: append-only, hash-chained events written by every service."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from yingji.audit.models import AuditEvent, AuditHead
from yingji.core.actors import Actor, user_of
from yingji.core.errors import FieldErrors
from yingji.core.request_context import current_request_id

GENESIS = "0" * 64


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values as the audit stores them; a foreign key as "name #id" so a reader of the
    trail sees who or what it was, and the id stays exact."""
    data = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            related = getattr(instance, name)
            data[name] = f"{related} #{related.pk}" if related is not None else None
        else:
            data[name] = _json_safe(getattr(instance, name))
    return data


def _event_hash(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "regulation": event.regulation,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def audit_record(
    *,
    actor: Actor | str | None,  # a string names a part of the system ("engine")
    action: str,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    regulation: str = "",
) -> AuditEvent:
    """Append one event. Call it inside the service's transaction so the change and its record
    commit together or not at all."""
    user = None if isinstance(actor, str) else user_of(actor)
    with transaction.atomic():
        # The head row lock (PostgreSQL) or the IMMEDIATE write lock (SQLite) makes appends
        # strictly sequential, so the chain never forks.
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=user,
            actor_name=user.get_username() if user else str(actor or "system"),
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            before=_json_safe(before) if before is not None else None,
            after=_json_safe(after) if after is not None else None,
            reason=reason,
            regulation=regulation,
            request_id=current_request_id.get(),
            prev_hash=head.hash or GENESIS,
        )
        event.hash = _event_hash(event)
        event.save(force_insert=True)
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


Clause = str | Callable[[list[str]], str]  # a regulation ID, or one chosen by what changed


def audited_create(
    *,
    actor: Actor,
    instance: models.Model,
    action: str,
    fields: Sequence[str],
    regulation: Clause = "",
    validate: bool = True,
) -> Any:
    """Validate (the model's own rules, as FieldErrors), insert and audit `fields` of a new
    row. Call inside the service's transaction."""
    if validate:
        full_clean(instance)
    instance.save(force_insert=True)
    audit_record(
        actor=actor,
        action=action,
        obj=instance,
        after=snapshot(instance, fields),
        regulation=_clause(regulation, list(fields)),
    )
    return instance


def audited_update(
    *,
    actor: Actor,
    instance: models.Model,
    changes: Mapping[str, Any],
    action: str,
    regulation: Clause = "",
    reason: str = "",
    validate: bool = True,
    exclude: Sequence[str] = (),
    also_save: Sequence[str] = (),
) -> list[str]:
    """Apply `changes`, validate, save only the fields that changed (`update_fields`, plus
    `also_save` and `updated_at` when the model has one) and audit before and after;
    `exclude` names fields the model's validation skips. Returns
    the changed names; nothing is written when nothing changed.

    "Before" is read from the stored row, not the instance: a bound ModelForm has already
    copied the new values onto the instance it was given."""
    names = list(changes)
    before = snapshot(type(instance)._default_manager.get(pk=instance.pk), names)
    for name, value in changes.items():
        setattr(instance, name, value)
    if validate:
        full_clean(instance, exclude=list(exclude))
    after = snapshot(instance, names)
    changed = [name for name in names if before[name] != after[name]]
    if changed:
        stamp = ["updated_at"] if hasattr(instance, "updated_at") else []
        instance.save(update_fields=[*changed, *also_save, *stamp])
        audit_record(
            actor=actor,
            action=action,
            obj=instance,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
            reason=reason,
            regulation=_clause(regulation, changed),
        )
    return changed


def full_clean(instance: models.Model, exclude: list[str] | None = None) -> None:
    """The model's validation as field errors a form or the API shows beside each field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise FieldErrors(exc.message_dict) from None


def _clause(regulation: Clause, changed: list[str]) -> str:
    return regulation(changed) if callable(regulation) else regulation


def audit_verify() -> list[str]:
    """Walk the chain; every edited, inserted or deleted row shows up as a problem."""
    problems: list[str] = []
    expected_seq, prev_hash = 1, GENESIS
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            problems.append(f"events {expected_seq}..{event.seq - 1} are missing")
        if event.prev_hash != prev_hash:
            problems.append(f"event {event.seq} does not follow the event before it")
        if _event_hash(event) != event.hash:
            problems.append(f"event {event.seq} was altered after it was written")
        expected_seq, prev_hash = event.seq + 1, event.hash
    head = AuditHead.objects.filter(pk=1).first() or AuditHead(seq=0)
    if head.seq != expected_seq - 1 or (head.seq and head.hash != prev_hash):
        problems.append(f"the chain should end at event {head.seq} but ends at {expected_seq - 1}")
    return problems
