"""/api/v1/monitoring/: assets, checks, rules and alerts, with the pages' rules. Samples
come in at /api/v1/metrics (intake.py), not through DRF."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from yingji.core.api import validated
from yingji.core.errors import AccessDenied
from yingji.monitoring import services
from yingji.monitoring.models import Alert, Asset, Check, Rule, Series, Silence
from yingji.monitoring.queries import (
    can_read,
    get_alert_for,
    get_asset_for,
    visible_alerts,
    visible_assets,
)
from yingji.org.models import Department, Person


class AssetSerializer(serializers.ModelSerializer):
    owner_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "core",
            "owner_department",
            "responsible",
            "location",
            "services",
            "active",
            "created_at",
        ]
        read_only_fields = ["active", "created_at"]


class SeriesSerializer(serializers.ModelSerializer):
    class Meta:
        model = Series
        fields = ["id", "metric", "labels", "last_at", "last_value"]


class SilenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Silence
        fields = ["id", "starts_at", "ends_at", "reason", "created_by"]
        read_only_fields = ["created_by"]


class CheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = Check
        fields = [
            "id",
            "asset",
            "name",
            "kind",
            "target",
            "config",
            "interval_seconds",
            "timeout_seconds",
            "enabled",
            "last_run_at",
            "last_ok",
            "last_error",
        ]
        read_only_fields = ["enabled", "last_run_at", "last_ok", "last_error"]

    def to_representation(self, instance: Check) -> dict[str, Any]:
        shown = super().to_representation(instance)
        shown["config"] = services.config_shown(instance.config)  # secrets never leave
        return shown


class CheckChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    target = serializers.CharField(max_length=500, required=False)
    config = serializers.JSONField(required=False)
    interval_seconds = serializers.IntegerField(min_value=1, required=False)
    timeout_seconds = serializers.IntegerField(min_value=1, required=False)


class RuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rule
        fields = [
            "id",
            "name",
            "metric",
            "asset",
            "labels",
            "operator",
            "threshold",
            "for_seconds",
            "recover_threshold",
            "recover_seconds",
            "no_data_seconds",
            "severity",
            "repeat_minutes",
            "max_sends",
            "eval_seconds",
            "m",
            "n",
            "active_from",
            "active_until",
            "enabled",
        ]
        read_only_fields = ["enabled"]


class AlertSerializer(serializers.ModelSerializer):
    series = SeriesSerializer(read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "asset",
            "series",
            "kind",
            "status",
            "severity",
            "value",
            "started_at",
            "resolved_at",
            "acknowledged_by",
            "acknowledged_at",
            "noise_reason",
            "sends",
        ]


class AssetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AssetSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Asset]:
        return visible_assets(self.request.user).prefetch_related("responsible")

    def get_object(self) -> Asset:
        return get_asset_for(self.request.user, self.kwargs["pk"])

    def create(self, request: Request) -> Response:
        data = validated(AssetSerializer, request)
        asset = services.asset_create(actor=request.user, **data)
        return Response(AssetSerializer(asset).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None, responses=inline_serializer("AgentToken", {"token": serializers.CharField()})
    )
    @action(detail=True, methods=["post"], url_path="agent-token")
    def agent_token(self, request: Request, pk: Any = None) -> Response:
        """A new push token for `yingji agent`; shown once, the old one stops working."""
        token = services.agent_token_issue(actor=request.user, asset=self.get_object())
        return Response({"token": token}, status=status.HTTP_201_CREATED)

    @extend_schema(responses=SeriesSerializer(many=True))
    @action(detail=True, methods=["get"])
    def series(self, request: Request, pk: Any = None) -> Response:
        rows = Series.objects.filter(asset=self.get_object())[:1000]
        return Response(SeriesSerializer(rows, many=True).data)

    @extend_schema(request=SilenceSerializer, responses=SilenceSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def silences(self, request: Request, pk: Any = None) -> Response:
        """Maintenance windows: alerts open and close, notices wait for the window's end."""
        asset = self.get_object()
        if request.method == "POST":
            services.silence_create(
                actor=request.user, asset=asset, **validated(SilenceSerializer, request)
            )
        rows = asset.silences.all()[:100]
        return Response(SilenceSerializer(rows, many=True).data)


class CheckViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CheckSerializer

    def get_queryset(self) -> QuerySet[Check]:
        return Check.objects.filter(asset__in=visible_assets(self.request.user)).order_by("pk")

    def create(self, request: Request) -> Response:
        data = validated(CheckSerializer, request)
        if data["asset"] not in visible_assets(request.user):
            raise AccessDenied(_("You cannot see this asset."))
        check = services.check_create(actor=request.user, **data)
        return Response(CheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CheckChangeSerializer, responses=CheckSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Change a check's settings; its kind stays. Secrets sent blank or as the mask keep
        the saved ones."""
        check = services.check_update(
            actor=request.user, check=self.get_object(), **validated(CheckChangeSerializer, request)
        )
        return Response(CheckSerializer(check).data)


class RuleViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = RuleSerializer

    def get_queryset(self) -> QuerySet[Rule]:
        return Rule.objects.order_by("pk") if can_read(self.request.user) else Rule.objects.none()

    def create(self, request: Request) -> Response:
        rule = services.rule_create(actor=request.user, **validated(RuleSerializer, request))
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RuleSerializer(partial=True), responses=RuleSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Change a rule in place; open alerts recover by the new thresholds."""
        checked = RuleSerializer(data=request.data, partial=True)
        checked.is_valid(raise_exception=True)
        rule = services.rule_update(
            actor=request.user, rule=self.get_object(), **checked.validated_data
        )
        return Response(RuleSerializer(rule).data)


class NoiseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AlertSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Alert]:
        return visible_alerts(self.request.user)

    def get_object(self) -> Alert:
        return get_alert_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        alert = services.alert_acknowledge(actor=request.user, alert=self.get_object())
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=NoiseSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def noise(self, request: Request, pk: Any = None) -> Response:
        reason = validated(NoiseSerializer, request)["reason"]
        alert = services.alert_mark_noise(
            actor=request.user, alert=self.get_object(), reason=reason
        )
        return Response(AlertSerializer(alert).data)
