"""/api/v1/intake/: integrations (the key shown once) and incoming alerts, with the pages'
rules. The alerts themselves arrive at the plain endpoints in endpoints.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from yingji.core.api import data_object, validated
from yingji.incidents.queries import get_incident_for
from yingji.intake import services
from yingji.intake.choices import OPEN_STATES, AlertState
from yingji.intake.models import IncomingAlert, InhibitRule, IntakeSilence, Integration, Route
from yingji.intake.queries import get_incoming_for, visible_incoming
from yingji.monitoring.queries import can_read
from yingji.org.models import Person


class IntegrationSerializer(serializers.ModelSerializer):
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )

    class Meta:
        model = Integration
        fields = [
            "id",
            "name",
            "kind",
            "responsible",
            "escalation_policy",
            "heartbeat_seconds",
            "mapping",
            "group_by",
            "group_window_minutes",
            "key_hint",
            "active",
            "created_at",
            "last_received_at",
        ]
        read_only_fields = ["key_hint", "active", "created_at", "last_received_at"]


class IntegrationChangeSerializer(IntegrationSerializer):
    class Meta(IntegrationSerializer.Meta):
        read_only_fields = ["kind", "key_hint", "created_at", "last_received_at"]


class NewIntegrationSerializer(IntegrationSerializer):
    key = serializers.CharField(read_only=True, help_text="shown this once")

    class Meta(IntegrationSerializer.Meta):
        fields = [*IntegrationSerializer.Meta.fields, "key"]


class IncomingAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncomingAlert
        fields = [
            "id",
            "integration",
            "dedup_key",
            "state",
            "summary",
            "urgency",
            "source",
            "labels",
            "details",
            "link",
            "silenced",
            "noise_reason",
            "started_at",
            "last_received_at",
            "times_received",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_at",
            "group_key",
            "lead",
            "told_at",
            "grade",
            "incident",
        ]
        read_only_fields = fields


NOISE_ROW = inline_serializer(
    "NoiseByRule",
    {
        "integration": serializers.CharField(),
        "rule": serializers.CharField(),
        "alerts": serializers.IntegerField(),
        "noise": serializers.IntegerField(),
    },
    many=True,
)


class IntegrationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IntegrationSerializer

    def get_queryset(self) -> QuerySet[Integration]:
        if not can_read(self.request.user):
            return Integration.objects.none()
        return Integration.objects.prefetch_related("responsible").order_by("pk")

    @extend_schema(request=IntegrationSerializer, responses=NewIntegrationSerializer)
    def create(self, request: Request) -> Response:
        integration, key = services.integration_create(
            actor=request.user, **validated(IntegrationSerializer, request)
        )
        shown = {**IntegrationSerializer(integration).data, "key": key}
        return Response(shown, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=IntegrationChangeSerializer(partial=True), responses=IntegrationSerializer
    )
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Change an integration's settings (name, people, policy, grouping, active); its
        kind and key stay."""
        checked = IntegrationChangeSerializer(data=request.data, partial=True)
        checked.is_valid(raise_exception=True)
        integration = services.integration_update(
            actor=request.user, integration=self.get_object(), **checked.validated_data
        )
        return Response(IntegrationSerializer(integration).data)

    @extend_schema(request=None, responses=NewIntegrationSerializer)
    @action(detail=True, methods=["post"], url_path="new-key")
    def new_key(self, request: Request, pk: Any = None) -> Response:
        """A new key, shown once; the old one stops working."""
        integration = self.get_object()
        key = services.integration_new_key(actor=request.user, integration=integration)
        return Response({**IntegrationSerializer(integration).data, "key": key})


class IncomingAlertViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = IncomingAlertSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[IncomingAlert]:
        alerts = visible_incoming(self.request.user).order_by("-started_at", "-pk")
        state = self.request.query_params.get("state")
        if state == "open":
            return alerts.filter(state__in=OPEN_STATES)
        return alerts.filter(state=state) if state in AlertState.values else alerts

    def get_object(self) -> IncomingAlert:
        return get_incoming_for(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="open, triggered, acknowledged or resolved")
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=IncomingAlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        alert = services.alert_acknowledge(actor=request.user, alert=self.get_object())
        return Response(IncomingAlertSerializer(alert).data)

    @extend_schema(
        request=inline_serializer("Snooze", {"minutes": serializers.IntegerField()}),
        responses=IncomingAlertSerializer,
    )
    @action(detail=True, methods=["post"])
    def snooze(self, request: Request, pk: Any = None) -> Response:
        """Hold the escalation: its next step waits `minutes` (1 to 1440) at the earliest."""
        alert = self.get_object()  # who may see it first: 404 before any 400
        minutes = data_object(request).get("minutes")
        minutes = minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else 0
        alert = services.alert_snooze(actor=request.user, alert=alert, minutes=minutes)
        return Response(IncomingAlertSerializer(alert).data)

    @extend_schema(
        request=inline_serializer("IncomingNoise", {"reason": serializers.CharField()}),
        responses=IncomingAlertSerializer,
    )
    @action(detail=True, methods=["post"])
    def noise(self, request: Request, pk: Any = None) -> Response:
        alert = self.get_object()
        reason = str(data_object(request).get("reason", ""))
        alert = services.alert_mark_noise(actor=request.user, alert=alert, reason=reason)
        return Response(IncomingAlertSerializer(alert).data)

    @extend_schema(responses=NOISE_ROW)
    @action(detail=False, methods=["get"], url_path="noise-by-rule")
    def noise_by_rule(self, request: Request) -> Response:
        """Alerts and noise per integration and alert name over the last 30 days."""
        if not can_read(request.user):
            return Response([])
        return Response(services.noise_by_rule(since=timezone.now() - timedelta(days=30)))

    @extend_schema(request=None, responses=IncomingAlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        alert = services.alert_resolve(actor=request.user, alert=self.get_object())
        return Response(IncomingAlertSerializer(alert).data)

    @extend_schema(
        request=inline_serializer("ReportedAs", {"incident": serializers.IntegerField()}),
        responses=IncomingAlertSerializer,
    )
    @action(detail=True, methods=["post"])
    def incident(self, request: Request, pk: Any = None) -> Response:
        """The emergency this alert was reported as (`POST /api/v1/incidents/` first)."""
        alert = self.get_object()
        incident = get_incident_for(request.user, data_object(request).get("incident"))
        alert = services.alert_link_incident(actor=request.user, alert=alert, incident=incident)
        return Response(IncomingAlertSerializer(alert).data)


class IntakeRouteSerializer(serializers.ModelSerializer):
    matchers = serializers.ListField(child=serializers.CharField(max_length=300), min_length=1)

    class Meta:
        model = Route
        fields = [
            "id",
            "integration",
            "position",
            "matchers",
            "escalation_policy",
            "urgency",
            "grade",
        ]


class IntakeSilenceSerializer(serializers.ModelSerializer):
    matchers = serializers.ListField(child=serializers.CharField(max_length=300), min_length=1)

    class Meta:
        model = IntakeSilence
        fields = ["id", "integration", "matchers", "starts_at", "ends_at", "reason"]
        extra_kwargs = {"starts_at": {"required": False}}


class RouteViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IntakeRouteSerializer

    def get_queryset(self) -> QuerySet[Route]:
        return Route.objects.order_by("pk") if can_read(self.request.user) else Route.objects.none()

    def create(self, request: Request) -> Response:
        route = services.route_create(
            actor=request.user, **validated(IntakeRouteSerializer, request)
        )
        return Response(IntakeRouteSerializer(route).data, status=status.HTTP_201_CREATED)


class SilenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IntakeSilenceSerializer

    def get_queryset(self) -> QuerySet[IntakeSilence]:
        if not can_read(self.request.user):
            return IntakeSilence.objects.none()
        return IntakeSilence.objects.order_by("-ends_at", "-pk")

    def create(self, request: Request) -> Response:
        fields = validated(IntakeSilenceSerializer, request)
        silence = services.silence_create(actor=request.user, **fields)
        return Response(IntakeSilenceSerializer(silence).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=IntakeSilenceSerializer)
    @action(detail=True, methods=["post"])
    def expire(self, request: Request, pk: Any = None) -> Response:
        silence = services.silence_expire(actor=request.user, silence=self.get_object())
        return Response(IntakeSilenceSerializer(silence).data)


class InhibitRuleSerializer(serializers.ModelSerializer):
    source = serializers.ListField(child=serializers.CharField(max_length=300), min_length=1)  # type: ignore[assignment]
    target = serializers.ListField(child=serializers.CharField(max_length=300), min_length=1)
    equal = serializers.ListField(child=serializers.CharField(max_length=100), required=False)

    class Meta:
        model = InhibitRule
        fields = ["id", "source", "target", "equal", "reason"]


class InhibitRuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """While an open alert matches `source`, new alerts matching `target` with equal values
    of the `equal` labels are muted."""

    serializer_class = InhibitRuleSerializer

    def get_queryset(self) -> QuerySet[InhibitRule]:
        if not can_read(self.request.user):
            return InhibitRule.objects.none()
        return InhibitRule.objects.order_by("pk")

    def create(self, request: Request) -> Response:
        fields = validated(InhibitRuleSerializer, request)
        rule = services.inhibit_rule_create(actor=request.user, **fields)
        return Response(InhibitRuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: Any = None) -> Response:
        services.inhibit_rule_delete(actor=request.user, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
