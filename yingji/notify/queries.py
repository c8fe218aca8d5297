"""Who sees which messages: the office and administrators see all; everyone else the ones
they sent or received."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from yingji.core.access import one_of
from yingji.notify.choices import DeliveryStatus
from yingji.notify.models import Channel, Delivery, Message
from yingji.org.queries import can_manage_org
from yingji.org.roles import roles_of


def visible_messages(user: Any) -> QuerySet[Message]:
    roles = roles_of(user)
    if roles.manages_org:
        return Message.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    received = Q(deliveries__person=roles.person) if roles.person else Q(pk__in=[])
    return Message.objects.filter(
        pk__in=Message.objects.filter(Q(created_by=user) | received).values("pk")
    )


def get_message_for(user: Any, pk: Any) -> Message:
    return one_of(visible_messages(user), pk)


def can_see_deliveries(user: Any, message: Message) -> bool:
    """Every delivery of a notice: the office, administrators and its sender (others see
    their own)."""
    sender = message.created_by_id is not None and message.created_by_id == getattr(user, "pk", 0)
    return roles_of(user).manages_org or sender


def deliveries_for(user: Any, message: Message) -> QuerySet[Delivery]:
    rows = message.deliveries.select_related("person", "channel").order_by("pk")
    return rows if can_see_deliveries(user, message) else rows.filter(person=roles_of(user).person)


def can_remind(user: Any, message: Message) -> bool:
    """Remind those who have not confirmed a notice that asks for a receipt (R-ACT-2): whoever
    sees all its deliveries."""
    return message.require_receipt and can_see_deliveries(user, message)


def visible_channels(user: Any) -> QuerySet[Channel]:
    """Channels and their settings: administrators and the leadership group office."""
    return Channel.objects.all() if can_manage_org(user) else Channel.objects.none()


def get_channel_for(user: Any, pk: Any, *, write: bool = False) -> Channel:
    return one_of(visible_channels(user), pk)  # whoever sees a channel may change it


def with_counts(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Live counts per message in one query (the delivery page and the list)."""
    people = Q(deliveries__channel__isnull=True)
    return messages.annotate(
        recipients=Count("deliveries", filter=people),
        confirmed=Count("deliveries", filter=people & Q(deliveries__confirmed_at__isnull=False)),
        outgoing=Count("deliveries", filter=Q(deliveries__channel__isnull=False)),
        delivered=Count(
            "deliveries",
            filter=Q(deliveries__channel__isnull=False, deliveries__status=DeliveryStatus.SENT),
        ),
        waiting=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]),
        ),
        failing=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP]),
        ),
    )


def inbox_of(user: Any) -> QuerySet[Delivery]:
    person = roles_of(user).person
    if person is None:
        return Delivery.objects.none()
    return Delivery.objects.filter(person=person, channel__isnull=True).select_related("message")


def unconfirmed_notices(user: Any) -> QuerySet[Delivery]:
    return inbox_of(user).filter(message__require_receipt=True, confirmed_at__isnull=True)
