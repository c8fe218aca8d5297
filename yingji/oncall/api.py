"""/api/v1/oncall/: rosters, their rotations and overrides, who is on duty, and holiday
calendars, with the pages' rules."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from yingji.core.api import MomentField, validated
from yingji.core.errors import DomainError
from yingji.monitoring.queries import can_read
from yingji.notify.models import Channel
from yingji.oncall import services
from yingji.oncall.choices import DayFilter, DayKind, Rotation, StepTarget, Urgency
from yingji.oncall.escalation import policy_create
from yingji.oncall.models import (
    ContactRule,
    EscalationPolicy,
    EscalationStep,
    HolidayCalendar,
    Layer,
    Override,
    Roster,
)
from yingji.oncall.queries import visible_rosters
from yingji.oncall.schedule import Segment
from yingji.org.models import Person
from yingji.org.roles import roles_of


class LayerSerializer(serializers.ModelSerializer):
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1
    )
    rotation = serializers.ChoiceField(choices=Rotation.choices)
    days = serializers.ChoiceField(choices=DayFilter.choices, default=DayFilter.ALL)

    class Meta:
        model = Layer
        fields = ["id", "name", "priority", "rotation", "handoff", "start_date", "days", "members"]


class OverrideSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())

    class Meta:
        model = Override
        fields = ["id", "person", "starts_at", "ends_at", "reason"]


class SwapSerializer(serializers.Serializer):
    first = MomentField(help_text="an instant in the first shift")
    second = MomentField(help_text="an instant in the other person's shift")
    reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class RosterSerializer(serializers.ModelSerializer):
    layers = LayerSerializer(many=True, read_only=True)
    calendar = serializers.PrimaryKeyRelatedField(
        queryset=HolidayCalendar.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Roster
        fields = ["id", "name", "time_zone", "calendar", "description", "duty_for", "layers"]


SegmentSerializer = inline_serializer(
    "DutyShift",
    {
        "starts_at": MomentField(),
        "ends_at": MomentField(),
        "person": serializers.IntegerField(allow_null=True),
        "source": serializers.CharField(),
    },
)


def _shift(segment: Segment | None) -> dict[str, Any] | None:
    if segment is None:
        return None
    return {
        "starts_at": segment.starts_at,
        "ends_at": segment.ends_at,
        "person": segment.person,
        "source": segment.source,
    }


class CalendarSerializer(serializers.ModelSerializer):
    class Meta:
        model = HolidayCalendar
        fields = ["id", "name"]


class CalendarDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=DayKind.choices)
    name = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")


class RosterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RosterSerializer

    def get_queryset(self) -> QuerySet[Roster]:
        return visible_rosters(self.request.user).prefetch_related("layers").order_by("pk")

    def create(self, request: Request) -> Response:
        roster = services.roster_create(actor=request.user, **validated(RosterSerializer, request))
        return Response(RosterSerializer(roster).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LayerSerializer, responses=LayerSerializer)
    @action(detail=True, methods=["post"])
    def layers(self, request: Request, pk: Any = None) -> Response:
        layer = services.layer_add(
            actor=request.user, roster=self.get_object(), **validated(LayerSerializer, request)
        )
        return Response(LayerSerializer(layer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OverrideSerializer, responses=OverrideSerializer)
    @action(detail=True, methods=["post"])
    def overrides(self, request: Request, pk: Any = None) -> Response:
        override = services.override_add(
            actor=request.user, roster=self.get_object(), **validated(OverrideSerializer, request)
        )
        return Response(OverrideSerializer(override).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SwapSerializer, responses=OverrideSerializer(many=True))
    @action(detail=True, methods=["post"])
    def swap(self, request: Request, pk: Any = None) -> Response:
        """Two people trade the shifts that `first` and `second` fall in (two overrides)."""
        made = services.shift_swap(
            actor=request.user, roster=self.get_object(), **validated(SwapSerializer, request)
        )
        return Response(OverrideSerializer(made, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("at", str, description="ISO 8601 instant; default now")],
        responses=inline_serializer(
            "OnDuty", {"now": SegmentSerializer, "next": SegmentSerializer}
        ),
    )
    @action(detail=True, methods=["get"], url_path="on-duty")
    def on_duty(self, request: Request, pk: Any = None) -> Response:
        """Who is on duty at `at` (default now) until when, and who comes next."""
        raw = request.query_params.get("at")
        at = parse_datetime(raw) if raw else timezone.now()
        if at is None or timezone.is_naive(at):
            raise DomainError(_("Give `at` as an ISO 8601 time with its zone."), field="at")
        current, following = services.now_and_next(self.get_object(), at)
        return Response({"now": _shift(current), "next": _shift(following)})


class CalendarViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CalendarSerializer

    def get_queryset(self) -> QuerySet[HolidayCalendar]:
        if not can_read(self.request.user):
            return HolidayCalendar.objects.none()
        return HolidayCalendar.objects.order_by("pk")

    def create(self, request: Request) -> Response:
        name = validated(CalendarSerializer, request)["name"]
        calendar = services.calendar_create(actor=request.user, name=name)
        return Response(CalendarSerializer(calendar).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CalendarDaySerializer(many=True), responses=None)
    @action(detail=True, methods=["post"])
    def days(self, request: Request, pk: Any = None) -> Response:
        """Set holidays and make-up working days; a date given again is replaced."""
        checked = CalendarDaySerializer(data=request.data, many=True)
        checked.is_valid(raise_exception=True)
        rows = [(d["date"], d["kind"], d["name"]) for d in checked.validated_data]
        count = services.calendar_days_set(
            actor=request.user, calendar=self.get_object(), days=rows
        )
        return Response({"saved": count})


class EscalationStepSerializer(serializers.ModelSerializer):
    target = serializers.ChoiceField(choices=StepTarget.choices)

    class Meta:
        model = EscalationStep
        fields = ["position", "delay_minutes", "target", "roster", "person", "channel"]
        read_only_fields = ["position"]


class PolicySerializer(serializers.ModelSerializer):
    steps = EscalationStepSerializer(many=True)

    class Meta:
        model = EscalationPolicy
        fields = ["id", "name", "repeat", "steps"]


class PolicyViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PolicySerializer

    def get_queryset(self) -> QuerySet[EscalationPolicy]:
        if not can_read(self.request.user):
            return EscalationPolicy.objects.none()
        return EscalationPolicy.objects.prefetch_related("steps").order_by("pk")

    def create(self, request: Request) -> Response:
        """Steps in order: `{"target": "roster"|"person"|"channel", "<target>": id,
        "delay_minutes": n}`."""
        data = validated(PolicySerializer, request)
        steps = [
            {k: (v.pk if hasattr(v, "pk") else v) for k, v in step.items()}
            for step in data.pop("steps")
        ]
        policy = policy_create(actor=request.user, steps=steps, **data)
        return Response(PolicySerializer(policy).data, status=status.HTTP_201_CREATED)


class ContactRuleSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    channels = serializers.PrimaryKeyRelatedField(
        queryset=Channel.objects.all(), many=True, required=False
    )
    then_channels = serializers.PrimaryKeyRelatedField(
        queryset=Channel.objects.all(), many=True, required=False
    )
    then_minutes = serializers.IntegerField(min_value=0, max_value=60, required=False, default=0)

    class Meta:
        model = ContactRule
        fields = ["id", "person", "urgency", "channels", "then_channels", "then_minutes"]
        validators: list[Any] = []  # a person's rule for a severity is replaced, not refused


class ContactRuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """How each person is paged per severity: channels at once, and the next channels if the
    alert is still unacknowledged `then_minutes` later. Everyone sees and sets their own;
    the office, experts and administrators anyone's."""

    serializer_class = ContactRuleSerializer

    def get_queryset(self) -> QuerySet[ContactRule]:
        rules = ContactRule.objects.prefetch_related("channels", "then_channels").order_by("pk")
        if services.can_manage(self.request.user):
            return rules
        person = roles_of(self.request.user).person
        return rules.filter(person=person) if person else rules.none()

    def create(self, request: Request) -> Response:
        """Set one person's rule for one severity (created or replaced)."""
        data = validated(ContactRuleSerializer, request)
        urgency = data["urgency"]
        services.contact_rules_set(
            actor=request.user,
            person=data["person"],
            rules={urgency: data.get("channels", [])},
            then={urgency: (data.get("then_channels", []), data.get("then_minutes", 0))},
        )
        rule = ContactRule.objects.get(person=data["person"], urgency=urgency)
        return Response(ContactRuleSerializer(rule).data, status=status.HTTP_201_CREATED)
