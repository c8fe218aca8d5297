"""/api/v1/notify/: channels, sent notices with their deliveries, all-staff broadcasts and my
inbox — the pages' services and access rules (issue 16)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from yingji.core.api import validated
from yingji.notify import services
from yingji.notify.choices import ChannelKind
from yingji.notify.filters import InboxFilter
from yingji.notify.forms import CHANNEL_FIELDS, SECRET_FIELDS
from yingji.notify.models import Channel, Delivery, Message
from yingji.notify.queries import (
    deliveries_for,
    get_message_for,
    inbox_of,
    visible_messages,
    with_counts,
)
from yingji.org.choices import Language
from yingji.org.queries import require_org_manager

MASK = "********"


class ChannelSerializer(serializers.ModelSerializer):
    """A channel; its secrets are never shown (`********`), and a secret left out when the
    settings change keeps its saved value, as on the page."""

    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    language = serializers.ChoiceField(choices=Language.choices, allow_blank=True, default="")
    config = serializers.DictField(required=False, default=dict)

    class Meta:
        model = Channel
        fields = [
            "id",
            "name",
            "kind",
            "config",
            "enabled",
            "personal",
            "all_staff",
            "canary",
            "position",
            "per_minute",
            "language",
            "broken_reason",
            "failures_in_row",
        ]
        read_only_fields = ["broken_reason", "failures_in_row"]

    def to_representation(self, channel: Channel) -> dict[str, Any]:
        data = super().to_representation(channel)
        data["config"] = {
            k: MASK if k in SECRET_FIELDS and v else v for k, v in channel.config.items()
        }
        return data


class MessageSerializer(serializers.ModelSerializer):
    recipients = serializers.IntegerField(read_only=True)
    confirmed = serializers.IntegerField(read_only=True)
    outgoing = serializers.IntegerField(read_only=True)
    delivered = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)
    failing = serializers.IntegerField(read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "event",
            "title",
            "body",
            "link",
            "broadcast",
            "require_receipt",
            "created_at",
            "recipients",
            "confirmed",
            "outgoing",
            "delivered",
            "waiting",
            "failing",
        ]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    person = serializers.CharField(source="person.full_name", default=None, read_only=True)
    channel = serializers.CharField(source="channel.name", default=None, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "person",
            "channel",
            "status",
            "attempts",
            "sent_at",
            "last_error",
            "confirmed_at",
        ]
        read_only_fields = fields


class InboxSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="message.title", read_only=True)
    body = serializers.CharField(source="message.body", read_only=True)
    link = serializers.CharField(source="message.link", read_only=True)
    require_receipt = serializers.BooleanField(source="message.require_receipt", read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "title", "body", "link", "require_receipt", "sent_at", "confirmed_at"]
        read_only_fields = fields


class BroadcastSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    require_receipt = serializers.BooleanField(default=True)
    escalate_minutes = serializers.IntegerField(
        min_value=1, max_value=1440, required=False, allow_null=True, default=None
    )


LOAD = inline_serializer(
    "BroadcastLoad",
    {
        "channel": serializers.CharField(),
        "deliveries": serializers.IntegerField(),
        "per_minute": serializers.IntegerField(),
        "minutes": serializers.IntegerField(),
    },
    many=True,
)


class ChannelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Administrators and the leadership group office, as on the channels page."""

    serializer_class = ChannelSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Channel]:
        require_org_manager(self.request.user)
        return Channel.objects.order_by("position", "name")

    def create(self, request: Request) -> Response:
        data = validated(ChannelSerializer, request)
        channel = services.channel_save(actor=request.user, channel=None, **data)
        return Response(ChannelSerializer(channel).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ChannelSerializer, responses=ChannelSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        channel = self.get_object()
        checked = ChannelSerializer(channel, data=request.data, partial=True)
        checked.is_valid(raise_exception=True)
        data = dict(checked.validated_data)
        config = dict(data.pop("config", channel.config))
        for name in SECRET_FIELDS:  # left out or masked: the saved secret stays
            if config.get(name) in (None, "", MASK) and channel.config.get(name):
                config[name] = channel.config[name]
        # the same columns the page's form saves
        fields = {name: data.get(name, getattr(channel, name)) for name in CHANNEL_FIELDS}
        saved = services.channel_save(actor=request.user, channel=channel, config=config, **fields)
        return Response(ChannelSerializer(saved).data)

    @extend_schema(request=None, responses={201: MessageSerializer})
    @action(detail=True, methods=["post"])
    def test(self, request: Request, pk: Any = None) -> Response:
        """A test notice through this channel (to you for a personal channel)."""
        message = services.channel_test(actor=request.user, channel=self.get_object())
        counted = with_counts(Message.objects.filter(pk=message.pk)).get()
        return Response(MessageSerializer(counted).data, status=status.HTTP_201_CREATED)


class RemindedSerializer(serializers.Serializer):
    people = serializers.IntegerField(help_text="people who had not confirmed")
    sent = serializers.IntegerField(help_text="messages queued through their channels")


class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Notices with live counts: the office and administrators see all, others the ones they
    sent or received; an all-staff broadcast is started here too."""

    serializer_class = MessageSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Message]:
        return with_counts(visible_messages(self.request.user)).order_by("-pk")

    def get_object(self) -> Message:
        message = get_message_for(self.request.user, self.kwargs["pk"])
        return with_counts(Message.objects.filter(pk=message.pk)).get()

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=PageNumberPagination)
    def deliveries(self, request: Request, pk: Any = None) -> Response:
        """Every delivery (the sender, the office and administrators) or only your own."""
        message = self.get_object()
        pager = PageNumberPagination()
        page = pager.paginate_queryset(deliveries_for(request.user, message), request, view=self)
        return pager.get_paginated_response(DeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses=RemindedSerializer)
    @action(detail=True, methods=["post"])
    def remind(self, request: Request, pk: Any = None) -> Response:
        """Remind everyone who has not confirmed (a notice that asks for a receipt): it goes
        again through the personal channels that first reached them; once per 5 minutes."""
        people, sent = services.receipts_remind(actor=request.user, message=self.get_object())
        return Response({"people": people, "sent": sent})

    @extend_schema(request=BroadcastSerializer, responses={201: MessageSerializer})
    @action(detail=False, methods=["post"])
    def broadcast(self, request: Request) -> Response:
        """R-ACT-2 / R-END-2: to every active person and every all-staff channel."""
        message = services.broadcast_send(
            actor=request.user, **validated(BroadcastSerializer, request)
        )
        counted = with_counts(Message.objects.filter(pk=message.pk)).get()
        return Response(MessageSerializer(counted).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=LOAD)
    @action(detail=False, methods=["get"], url_path="broadcast-estimate")
    def broadcast_estimate(self, request: Request) -> Response:
        """Before a broadcast: each channel's messages, its budget and the minutes it needs."""
        require_org_manager(request.user)
        return Response(
            [
                {
                    "channel": load.channel.name,
                    "deliveries": load.deliveries,
                    "per_minute": load.per_minute,
                    "minutes": load.minutes,
                }
                for load in services.broadcast_estimate()
            ]
        )


class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """My notices, newest first; confirm one as read (已读确认)."""

    serializer_class = InboxSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends = [DjangoFilterBackend]  # ?unconfirmed=true, ?incident=42, as the page
    filterset_class = InboxFilter

    def get_queryset(self) -> QuerySet[Delivery]:
        return inbox_of(self.request.user).order_by("-pk")

    @extend_schema(request=None, responses=InboxSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        delivery = self.get_object()  # only one's own: another's is 404
        services.delivery_confirm(token=delivery.receipt_token)
        delivery.refresh_from_db()
        return Response(InboxSerializer(delivery).data)
