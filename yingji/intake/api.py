"""/api/v1/intake/: integrations (the key shown once) and incoming alerts, with the pages'
rules. The alerts themselves arrive at the plain endpoints in endpoints.py."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from yingji.core.api import validated
from yingji.intake import services
from yingji.intake.choices import OPEN_STATES, AlertState
from yingji.intake.models import IncomingAlert, Integration
from yingji.intake.queries import get_incoming_for, visible_incoming
from yingji.monitoring.queries import may_read
from yingji.org.models import Person


class IntegrationSerializer(serializers.ModelSerializer):
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )

    class Meta:
        model = Integration
        fields = ["id", "name", "kind", "responsible", "escalation_policy", "heartbeat_seconds",
                  "key_hint", "active", "created_at", "last_received_at"]  # fmt: skip
        read_only_fields = ["key_hint", "active", "created_at", "last_received_at"]


class NewIntegrationSerializer(IntegrationSerializer):
    key = serializers.CharField(read_only=True, help_text="shown this once")

    class Meta(IntegrationSerializer.Meta):
        fields = [*IntegrationSerializer.Meta.fields, "key"]


class IncomingAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncomingAlert
        fields = ["id", "integration", "dedup_key", "state", "summary", "urgency", "source",
                  "labels", "details", "link", "started_at", "last_received_at",
                  "times_received", "acknowledged_by", "acknowledged_at",
                  "resolved_at"]  # fmt: skip
        read_only_fields = fields


class IntegrationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IntegrationSerializer

    def get_queryset(self) -> QuerySet[Integration]:
        if not may_read(self.request.user):
            return Integration.objects.none()
        return Integration.objects.prefetch_related("responsible").order_by("pk")

    @extend_schema(request=IntegrationSerializer, responses=NewIntegrationSerializer)
    def create(self, request: Request) -> Response:
        integration, key = services.integration_create(
            actor=request.user, **validated(IntegrationSerializer, request)
        )
        shown = {**IntegrationSerializer(integration).data, "key": key}
        return Response(shown, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=NewIntegrationSerializer)
    @action(detail=True, methods=["post"], url_path="new-key")
    def new_key(self, request: Request, pk: Any = None) -> Response:
        """A new key, shown once; the old one stops working."""
        integration = self.get_object()
        key = services.integration_new_key(actor=request.user, integration=integration)
        return Response({**IntegrationSerializer(integration).data, "key": key})


class IncomingAlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):  # fmt: skip
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

    @extend_schema(parameters=[OpenApiParameter("state", str, description=
                   "open, triggered, acknowledged or resolved")])  # fmt: skip
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=IncomingAlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        alert = services.alert_acknowledge(actor=request.user, alert=self.get_object())
        return Response(IncomingAlertSerializer(alert).data)

    @extend_schema(request=None, responses=IncomingAlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        alert = services.alert_resolve(actor=request.user, alert=self.get_object())
        return Response(IncomingAlertSerializer(alert).data)
