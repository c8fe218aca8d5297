"""The one door to notifications: other apps call `notify()` and never a transport.

`notify()` writes the message and one delivery per recipient per channel in the caller's
transaction (the outbox), so a notice exists exactly when the change that caused it does.
The engine's outbox pass sends them; `delivery_confirm` records receipts (已读确认)."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record
from yingji.core.access import require
from yingji.core.actors import Actor, user_of
from yingji.core.errors import DomainError, FieldErrors
from yingji.engine.claims import retry_backoff
from yingji.engine.wakeup import wake_engines
from yingji.notify.choices import (
    DEFAULT_PER_MINUTE,
    DEFAULT_PER_SECOND,
    PERSONAL_KINDS,
    ChannelKind,
    DeliveryStatus,
)
from yingji.notify.models import Channel, Delivery, Message
from yingji.notify.queries import can_remind
from yingji.notify.rendering import EVENTS, Notice, event_text
from yingji.notify.transports import TRANSPORTS, SendError
from yingji.org.choices import GroupKind, PersonStatus
from yingji.org.models import Person
from yingji.org.queries import require_org_manager
from yingji.org.roles import roles_of

log = logging.getLogger("yingji.notify")
MAX_ATTEMPTS = 6
WINDOW = timedelta(minutes=1)


def _new_receipt_token() -> str:
    return secrets.token_urlsafe(32)


# ---------------------------------------------------------------- sending


@transaction.atomic
def notify(
    *,
    event: str,
    title: str = "",
    body: str = "",
    context: dict[str, Any] | None = None,
    link: str = "",
    recipients: Iterable[Person] = (),
    channels: Iterable[Channel] = (),
    key: str | None = None,
    require_receipt: bool = False,
    broadcast: bool = False,
    escalate_after: timedelta | None = None,
    actor: Actor | None = None,
    personal_channels: Iterable[Channel] | None = None,
) -> Message:
    """Queue a notice to people (in-app inbox + every enabled personal channel, or only
    `personal_channels` when given: a person's own contact rule) and to group channels.
    With the same `key` a second call returns the first message and sends nothing.

    A registered event (rendering.register_event) is written from `context` in each
    reader's language; otherwise `title` and `body` are sent as given (a typed broadcast).

    With a receipt required and `escalate_after`, each person gets the notice on their first
    personal channel only; whoever has not confirmed in time gets it on the next channel,
    and after the last one the office gets a call list (see `receipts_escalate`)."""
    if key:
        existing = Message.objects.filter(key=key).first()
        if existing is not None:
            return existing
    context = dict(context or {})
    if event in EVENTS:  # stored in the organisation's language, for lists and search
        title, body = event_text(event, context, settings.LANGUAGE_CODE)
    title = title.strip()
    if not title:
        raise DomainError(_("A notice needs a title."), field="title")
    user = user_of(actor)
    message = Message.objects.create(
        event=event,
        title=title[:200],
        body=body,
        context=context,
        link=link,
        key=key or uuid.uuid4().hex,
        require_receipt=require_receipt,
        broadcast=broadcast,
        created_by=user,
        escalate_minutes=int(escalate_after.total_seconds() // 60) if escalate_after else None,
    )
    people = list(_each_once(p for p in recipients if p.status == PersonStatus.ACTIVE))
    group_channels = set(channels)
    if broadcast:
        group_channels |= set(Channel.objects.filter(enabled=True, all_staff=True))
    stepwise = bool(require_receipt and message.escalate_minutes)
    rows = _deliveries(
        message,
        people,
        group_channels,
        first_channel_only=stepwise,
        personal=None if personal_channels is None else list(personal_channels),
    )
    if broadcast:
        for row in rows:
            row.priority = 1
    Delivery.objects.bulk_create(rows, batch_size=1000)
    if any(row.channel_id for row in rows):
        wake_engines()
    if stepwise and people:
        _schedule_escalation(message, step=1)
    audit_record(
        actor=actor or "system",
        action="notify.message.create",
        obj=message,
        after={"event": event, "people": len(people), "channels": len(group_channels)},
    )
    return message


def _deliveries(
    message: Message,
    people: list[Person],
    group_channels: set[Channel],
    *,
    first_channel_only: bool = False,
    personal: list[Channel] | None = None,
) -> list:
    now = timezone.now()
    personal = _personal_channels() if personal is None else personal
    rows = []
    for person in people:
        rows.append(
            Delivery(
                message=message,
                person=person,
                status=DeliveryStatus.SENT,
                sent_at=now,
                receipt_token=_new_receipt_token(),
            )
        )
        for channel in personal:
            address = _personal_address(channel, person)
            if not address:
                continue
            rows.append(
                Delivery(
                    message=message,
                    person=person,
                    channel=channel,
                    address=address,
                    next_attempt_at=now,
                    receipt_token=_new_receipt_token(),
                )
            )
            if first_channel_only:  # the others wait for an overdue receipt
                break
    for channel in group_channels:
        rows.append(
            Delivery(
                message=message,
                channel=channel,
                next_attempt_at=now,
                receipt_token=_new_receipt_token(),
            )
        )
    return rows


def _personal_channels() -> list[Channel]:
    return list(Channel.objects.filter(enabled=True, personal=True).order_by("position", "name"))


# A person's ID in each chat; without one DingTalk and WeCom can still @ their mobile.
CHAT_ID_FIELDS = {
    ChannelKind.DINGTALK: ("dingtalk_id", True),
    ChannelKind.WECOM: ("wecom_id", True),
    ChannelKind.FEISHU: ("feishu_id", False),  # custom bots @ by open_id only
}


def _each_once(people: Iterable[Person]) -> Iterator[Person]:
    """One notice per person per event, whichever groups and roles brought them in."""
    seen: set[int] = set()
    for person in people:
        if person.pk not in seen:
            seen.add(person.pk)
            yield person


def _personal_address(channel: Channel, person: Person) -> str:
    """Where a personal channel reaches this person: an e-mail address, a mobile number, or
    "user:<id>" / "mobile:<number>" to @ them in the robot's group; empty when it cannot."""
    if channel.kind in (ChannelKind.EMAIL, ChannelKind.CAPTURE):
        return person.email
    if channel.kind == ChannelKind.SMS:
        return person.mobile
    if channel.kind in CHAT_ID_FIELDS:
        id_field, by_mobile = CHAT_ID_FIELDS[ChannelKind(channel.kind)]
        if getattr(person, id_field):
            return f"user:{getattr(person, id_field)}"
        if by_mobile and person.mobile:
            return f"mobile:{person.mobile}"
    return ""


def _reserve(
    channel: Channel, now: datetime, wanted: int, *, window: timedelta, limit: int, fields: str
) -> tuple[int, datetime]:
    """Take up to `wanted` sends from one of the channel's allowances (`fields` "window" for
    the per-minute one, "burst" for the per-second one) with a conditional update. Returns
    how many were granted and when that window ends."""
    started_field, count_field = f"{fields}_started_at", f"{fields}_count"
    for _try in range(5):  # another worker may take slots between our read and our write
        started, used = Channel.objects.filter(pk=channel.pk).values_list(
            started_field, count_field
        )[0]
        if started is None or started <= now - window:
            # Only the worker whose update matches the old start opens the new window.
            Channel.objects.filter(pk=channel.pk, **{started_field: started}).update(
                **{started_field: now, count_field: 0}
            )
            continue
        granted = min(wanted, limit - used)
        if granted <= 0:
            return 0, started + window
        if Channel.objects.filter(
            pk=channel.pk, **{started_field: started, count_field: used}
        ).update(**{count_field: used + granted}):
            return granted, started + window
    return 0, now + timedelta(seconds=1)


# A broadcast may use this share of a channel's per-minute budget: the rest is kept for
# targeted notices (escalations, pages), which never wait behind a broadcast (issue 15).
BROADCAST_SHARE = 0.8


def per_minute_budget(channel: Channel, *, broadcast: bool = False) -> int:
    per_minute = channel.per_minute or DEFAULT_PER_MINUTE.get(channel.kind, 60)
    return max(1, int(per_minute * BROADCAST_SHARE)) if broadcast else per_minute


def _reserve_sends(
    channel: Channel, now: datetime, wanted: int, *, broadcast: bool = False
) -> tuple[int, datetime]:
    """Sends allowed now by the per-minute limit (a broadcast's share of it) and, where the
    robot has one, the per-second limit; slots the second refuses go back to the first."""
    per_minute = per_minute_budget(channel, broadcast=broadcast)
    granted, retry_at = _reserve(
        channel, now, wanted, window=WINDOW, limit=per_minute, fields="window"
    )
    per_second = DEFAULT_PER_SECOND.get(channel.kind)
    if per_second and granted:
        burst, burst_end = _reserve(
            channel, now, granted, window=timedelta(seconds=1), limit=per_second, fields="burst"
        )
        if burst < granted:
            Channel.objects.filter(pk=channel.pk).update(
                window_count=F("window_count") - (granted - burst)
            )
            granted, retry_at = burst, burst_end
    return granted, retry_at


def admit(channel: Channel, deliveries: list[Delivery], now: datetime) -> list[Delivery]:
    """Of a claimed batch for one channel, the deliveries that may be sent now. A broken or
    disabled channel fails them with the reason; over the rate limit the rest wait for the
    next window (queued, never dropped)."""
    ids = [d.pk for d in deliveries]
    if not channel.enabled or channel.broken_reason:
        why = _("channel %(name)s is off or broken: %(why)s") % {
            "name": channel.name,
            "why": channel.broken_reason or _("disabled"),
        }
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.FAILED, last_error=why[:2000], claim_token="", lease_until=None
        )
        return []
    targeted = [d for d in deliveries if d.priority == 0]
    granted, window_end = _reserve_sends(channel, now, len(targeted)) if targeted else (0, now)
    if granted == len(targeted) and len(deliveries) > granted:
        more, window_end = _reserve_sends(channel, now, len(deliveries) - granted, broadcast=True)
        granted += more
    waiting = ids[granted:]
    if waiting:
        Delivery.objects.filter(pk__in=waiting, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.QUEUED,
            next_attempt_at=window_end,
            claim_token="",
            lease_until=None,
            attempts=F("attempts") - 1,
        )
    return deliveries[:granted]


def _record(delivery: Delivery, **fields: Any) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(
        claim_token="", lease_until=None, **fields
    )


@dataclass(frozen=True)
class Outcome:
    delivery: Delivery
    answer: str = ""
    error: SendError | None = None


def send_one(delivery: Delivery, notice: Notice) -> Outcome:
    """Send one admitted delivery; touches no database, so sender threads may run it. A bug
    in a transport is a temporary failure with its reason, never a lost delivery."""
    channel = delivery.channel
    assert channel is not None
    try:
        return Outcome(delivery, answer=TRANSPORTS[channel.kind].send(channel, notice, delivery))
    except SendError as exc:
        return Outcome(delivery, error=exc)
    except Exception as exc:  # noqa: BLE001 — recorded as the reason, retried like an outage
        log.exception("transport %s failed on delivery %s", channel.kind, delivery.pk)
        return Outcome(delivery, error=SendError(f"{type(exc).__name__}: {exc}", temporary=True))


@transaction.atomic
def record_outcomes(outcomes: list[Outcome]) -> None:
    """The second short write: a chunk's outcomes in one commit; sends that got the same
    answer (robots mostly say the same "ok") in one UPDATE."""
    now = timezone.now()
    _count_failures_in_row(outcomes, now)
    sent: dict[tuple[str, str], list[int]] = {}
    for outcome in outcomes:
        delivery = outcome.delivery
        if outcome.error is None:
            sent.setdefault((delivery.claim_token, outcome.answer[:2000]), []).append(delivery.pk)
        else:
            assert delivery.channel is not None
            _record_failure(delivery, delivery.channel, outcome.error)
    for (token, answer), ids in sent.items():
        Delivery.objects.filter(pk__in=ids, claim_token=token).update(
            status=DeliveryStatus.SENT,
            sent_at=now,
            provider_response=answer,
            last_error="",
            claim_token="",
            lease_until=None,
        )


def _count_failures_in_row(outcomes: list[Outcome], now: datetime) -> None:
    """A dead or hanging channel is reported broken like one a robot's error code condemns:
    a send that got through starts the count again; temporary failures add to it."""
    by_channel: dict[int, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.delivery.channel_id is not None:
            by_channel.setdefault(outcome.delivery.channel_id, []).append(outcome)
    for channel_id, results in by_channel.items():
        rows = Channel.objects.filter(pk=channel_id)  # gone meanwhile: nothing to count
        failed = [o.error for o in results if o.error is not None and o.error.temporary]
        if len(failed) < len(results):
            rows.exclude(failures_in_row=0).update(failures_in_row=0, failing_since=None)
            continue
        if not failed:
            continue
        rows.filter(failing_since__isnull=True).update(failing_since=now)
        rows.update(failures_in_row=F("failures_in_row") + len(failed))
        channel = rows.first()
        if channel is not None and _dead(channel, now):
            since = timezone.localtime(channel.failing_since).strftime("%Y-%m-%d %H:%M:%S")
            why = _("%(count)s sends in a row failed since %(since)s; last: %(error)s")
            facts = {"count": channel.failures_in_row, "since": since, "error": failed[-1].reason}
            _mark_broken(channel, why % facts)


def _dead(channel: Channel, now: datetime) -> bool:
    return (
        not channel.broken_reason
        and channel.failures_in_row >= settings.CHANNEL_BROKEN_AFTER_FAILURES
        and channel.failing_since is not None
        and (now - channel.failing_since).total_seconds() >= settings.CHANNEL_BROKEN_AFTER_SECONDS
    )


@transaction.atomic
def _mark_broken(channel: Channel, reason: str) -> None:
    """Stop using the channel and tell its owners, once: only the worker whose conditional
    update flips the channel from working to broken sends the notice."""
    flipped = Channel.objects.filter(pk=channel.pk, broken_reason="").update(
        broken_reason=reason[:2000]
    )
    if not flipped:
        return
    audit_record(
        actor="engine", action="notify.channel.broken", obj=channel, after={"reason": reason[:500]}
    )
    owners = (
        Person.objects.filter(status=PersonStatus.ACTIVE)
        .filter(Q(memberships__group__kind=GroupKind.OFFICE) | Q(user__is_superuser=True))
        .distinct()
    )
    notify(
        event="channel.broken",
        context={"name": channel.name, "reason": reason[:500]},
        link=f"/notify/channels/{channel.pk}/edit/",
        recipients=owners,
        key=f"channel:{channel.pk}:broken:{uuid.uuid4().hex}",
    )


def _record_failure(delivery: Delivery, channel: Channel, exc: SendError) -> None:
    log.warning("delivery %s via %s failed: %s", delivery.pk, channel.name, exc.reason)
    if exc.channel_broken:
        _mark_broken(channel, exc.reason)
    if exc.temporary and delivery.attempts < MAX_ATTEMPTS:
        _record(
            delivery,
            status=DeliveryStatus.QUEUED,
            last_error=exc.reason[:2000],
            next_attempt_at=timezone.now() + retry_backoff(delivery.attempts),
        )
    else:
        final = DeliveryStatus.GAVE_UP if exc.temporary else DeliveryStatus.FAILED
        _record(delivery, status=final, last_error=exc.reason[:2000])


# ---------------------------------------------------------------- receipts


def _schedule_escalation(message: Message, *, step: int) -> None:
    from yingji.engine.services import timer_schedule

    assert message.escalate_minutes
    timer_schedule(
        key=f"notify:receipts:{message.pk}:{step}",
        handler="notify.escalate_receipts",
        due_at=timezone.now() + timedelta(minutes=message.escalate_minutes),
        payload={"message": message.pk, "step": step},
    )


@transaction.atomic
def receipts_escalate(*, message: Message, step: int) -> None:
    """Step `step` for a notice whose receipts are overdue: the next personal channel for
    everyone who has not confirmed; a call list for the office when channels run out; the
    sender told either way. A step that already ran does nothing (timers may fire twice)."""
    told_key = f"notify:receipts:{message.pk}:{step}:told"
    if Message.objects.filter(key=told_key).exists():  # this step ran already
        return
    waiting = list(
        Delivery.objects.filter(
            message=message,
            channel__isnull=True,
            confirmed_at__isnull=True,
            person__status=PersonStatus.ACTIVE,
        ).select_related("person")
    )
    if not waiting:
        return
    used = set(
        Delivery.objects.filter(message=message, channel__isnull=False).values_list(
            "person_id", "channel_id"
        )
    )
    personal, now, rows, to_call = _personal_channels(), timezone.now(), [], []
    for inbox in waiting:
        person = inbox.person
        assert person is not None
        following = [
            c for c in personal if (person.pk, c.pk) not in used and _personal_address(c, person)
        ]
        if following:
            rows.append(
                Delivery(
                    message=message,
                    person=person,
                    channel=following[0],
                    address=_personal_address(following[0], person),
                    next_attempt_at=now,
                    escalation_step=step,
                    receipt_token=_new_receipt_token(),
                )
            )
        else:
            to_call.append(person)
    Delivery.objects.bulk_create(rows)
    if rows:
        wake_engines()
        _schedule_escalation(message, step=step + 1)
    _tell_about_receipts(message, told_key, waiting=len(waiting), to_call=to_call)


REMIND_EVERY = timedelta(minutes=5)  # one reminder per notice at a time, not a storm


@transaction.atomic
def receipts_remind(*, actor: Actor, message: Message) -> tuple[int, int]:
    """已读提醒: everyone who has not confirmed the notice gets it again through the personal
    channels it first reached them by (their inbox still shows it); confirming any copy
    confirms the notice. Returns (people reminded, messages queued)."""
    require(
        can_remind(actor, message), _("Only the office, administrators and the sender may remind.")
    )
    message = Message.objects.select_for_update().get(pk=message.pk)
    now = timezone.now()
    if message.reminded_at and now < message.reminded_at + REMIND_EVERY:
        raise DomainError(
            _("Reminded at %(time)s; remind again after %(n)d minutes.")
            % {"time": timezone.localtime(message.reminded_at).strftime("%H:%M"), "n": 5},
            code="conflict",
        )
    waiting = set(
        message.deliveries.filter(
            channel__isnull=True, confirmed_at__isnull=True, person__status=PersonStatus.ACTIVE
        ).values_list("person_id", flat=True)
    )
    first = message.deliveries.filter(
        person_id__in=waiting, channel__isnull=False, escalation_step=0
    ).select_related("channel")
    routes = {(d.person_id, d.channel_id): d for d in first if d.channel and d.channel.enabled}
    rows = [  # once per person and channel, however often it was sent or reminded before
        Delivery(
            message=message,
            person_id=d.person_id,
            channel=d.channel,
            address=d.address,
            next_attempt_at=now,
            priority=1,  # a targeted notice: ahead of any broadcast in the channel's lane
            receipt_token=_new_receipt_token(),
        )
        for d in routes.values()
    ]
    Delivery.objects.bulk_create(rows)
    message.reminded_at = now
    message.save(update_fields=["reminded_at"])
    audit_record(
        actor=actor,
        action="notify.message.remind",
        obj=message,
        regulation="R-ACT-2",
        after={"people": len(waiting), "sent": len(rows)},
    )
    if rows:
        wake_engines()
    return len(waiting), len(rows)


def _tell_about_receipts(message: Message, key: str, *, waiting: int, to_call: list) -> None:
    lines = [f"{p.full_name} {p.mobile}".strip() for p in to_call]
    office = Person.objects.filter(
        status=PersonStatus.ACTIVE, memberships__group__kind=GroupKind.OFFICE
    )
    sender = Person.objects.filter(user__pk=message.created_by_id or 0)
    notify(
        event="receipt.overdue",
        context={"n": waiting, "title": message.title, "call_list": "\n".join(lines)},
        link=f"/notify/messages/{message.pk}/",
        recipients=(office | sender).distinct(),
        key=key,
    )


@transaction.atomic
def delivery_confirm(*, token: str) -> Delivery:
    """已读确认: the person confirms the notice (all their deliveries of that message)."""
    delivery = Delivery.objects.select_related("message").filter(receipt_token=token).first()
    if delivery is None or delivery.person_id is None:
        raise DomainError(_("This confirmation link is not valid."), code="not_found")
    receipts_confirm(person=delivery.person_id, message=delivery.message_id)
    return delivery


def receipts_confirm(*, person: Any, message: Any = None, key_prefix: str | None = None) -> int:
    """Confirm the person's unconfirmed receipts (已读确认): of one message, or of every notice
    whose key starts with `key_prefix` ("incident:7:": someone acting on incident 7 has read
    its notices, so the receipt escalation does not call them). Returns how many."""
    waiting = Delivery.objects.filter(person=person, confirmed_at__isnull=True)
    if message is not None:
        waiting = waiting.filter(message=message)
    if key_prefix is not None:
        waiting = waiting.filter(message__key__startswith=key_prefix, message__require_receipt=True)
    return waiting.update(confirmed_at=timezone.now())


# ---------------------------------------------------------------- channels


@transaction.atomic
def channel_save(*, actor: Actor, channel: Channel | None, **fields: Any) -> Channel:
    """Create or change a channel; its settings are validated now, not when a notice fails."""
    require_org_manager(actor)
    kind = fields.get("kind") or (channel.kind if channel else "")
    transport = TRANSPORTS.get(kind)
    if transport is None:
        raise DomainError(_("Choose a kind of channel."), field="kind")
    if fields.get("personal") and kind not in PERSONAL_KINDS:
        raise DomainError(
            _("This kind of channel cannot reach one person; use it as a group channel."),
            field="personal",
        )
    fields["config"] = transport.clean(dict(fields.get("config") or {}))
    target = channel or Channel()
    for name, value in fields.items():
        setattr(target, name, value)
    target.broken_reason = ""  # saving corrected settings repairs a broken channel
    target.failures_in_row, target.failing_since = 0, None
    try:
        target.full_clean(exclude=["window_started_at", "window_count"])
    except ValidationError as exc:
        raise FieldErrors(exc.message_dict) from None
    if channel is None:
        target.save()
    else:  # the engine writes the budget counters meanwhile: never overwrite them
        repaired = ["broken_reason", "failures_in_row", "failing_since", "updated_at"]
        target.save(update_fields=[*fields, *repaired])
    audit_record(
        actor=actor,
        action="notify.channel.save",
        obj=target,
        after={"kind": target.kind, "enabled": target.enabled},
    )  # never the secrets
    return target


# ---------------------------------------------------------------- broadcasts and tests


@transaction.atomic
def broadcast_send(
    *,
    actor: Actor,
    title: str,
    body: str,
    require_receipt: bool,
    escalate_minutes: int | None = None,
) -> Message:
    """R-ACT-2 / R-END-2: a notice to every active person and every all-staff channel."""
    require_org_manager(actor)
    everyone = Person.objects.filter(status=PersonStatus.ACTIVE)
    return notify(
        event="broadcast",
        title=title,
        body=body,
        link="/notify/",
        recipients=everyone,
        require_receipt=require_receipt,
        escalate_after=timedelta(minutes=escalate_minutes) if escalate_minutes else None,
        broadcast=True,
        actor=actor,
    )


@dataclass(frozen=True)
class BroadcastLoad:
    channel: Channel
    deliveries: int
    per_minute: int  # the broadcast's share of the channel's budget

    @property
    def minutes(self) -> int:
        return -(-self.deliveries // self.per_minute)  # rounded up


def broadcast_estimate() -> list[BroadcastLoad]:
    """Before a broadcast is sent: how many deliveries each channel would carry and how many
    minutes its budget needs for them (issue 15: a 3,059-person SMS broadcast takes 13
    minutes at 300 a minute with a fifth kept for targeted notices)."""
    people = list(Person.objects.filter(status=PersonStatus.ACTIVE))
    loads = [
        BroadcastLoad(
            channel,
            sum(1 for p in people if _personal_address(channel, p)),
            per_minute_budget(channel, broadcast=True),
        )
        for channel in _personal_channels()
    ] + [
        BroadcastLoad(channel, 1, per_minute_budget(channel, broadcast=True))
        for channel in Channel.objects.filter(enabled=True, all_staff=True)
    ]
    return [load for load in loads if load.deliveries]


@transaction.atomic
def channel_test(*, actor: Actor, channel: Channel) -> Message:
    """Send a test notice through one channel: to the tester in person for a personal channel,
    to the chat for a group channel."""
    require_org_manager(actor)
    if channel.personal:
        person = roles_of(actor).person
        address = _personal_address(channel, person) if person else ""
        if person is None or not address:
            raise DomainError(
                _("Add your own e-mail address or mobile first; the test goes to you.")
            )
        message = notify(event="test", link="/notify/", recipients=[], actor=actor)
        Delivery.objects.create(
            message=message,
            person=person,
            channel=channel,
            address=address,
            next_attempt_at=timezone.now(),
            receipt_token=_new_receipt_token(),
        )
        wake_engines()
        return message
    return notify(event="test", link="/notify/", channels=[channel], actor=actor)
