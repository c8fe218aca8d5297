"""/api/v1/incidents/: the same steps and access rules as the pages (queries + services)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from yingji.incidents import services
from yingji.incidents.choices import Grade
from yingji.incidents.models import Incident, TimelineEntry
from yingji.incidents.queries import get_incident_for, visible_incidents
from yingji.org.choices import Scenario


class IncidentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Incident
        fields = [
            "id", "title", "category", "status", "exercise", "confidential", "reporter",
            "department", "occurred_at", "location", "symptoms", "scope", "severity",
            "affected_systems", "contact", "reported_at", "escalate_by", "escalated_at",
            "escalated_late", "closed_at", "close_reason",
        ]  # fmt: skip
        read_only_fields = fields


class ReportSerializer(serializers.Serializer):
    """R-RESP-3: what a report says."""

    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Scenario.choices)
    occurred_at = serializers.DateTimeField()
    symptoms = serializers.CharField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    scope = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Grade.choices, required=False, allow_blank=True)
    affected_systems = serializers.CharField(required=False, allow_blank=True)
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True)
    exercise = serializers.BooleanField(required=False, default=False)
    confidential = serializers.BooleanField(required=False, default=False)


class JudgementSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class TimelineEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = ["at", "actor", "action", "from_status", "to_status", "text", "clause"]


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents the caller may see; report one with POST, judge it with the actions."""

    serializer_class = IncidentSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Incident]:
        return visible_incidents(self.request.user).order_by("-reported_at", "-pk")

    def get_object(self) -> Incident:
        return get_incident_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=ReportSerializer, responses={201: IncidentSerializer})
    def create(self, request: Request) -> Response:
        report = ReportSerializer(data=request.data)
        report.is_valid(raise_exception=True)
        incident = services.incident_report(actor=request.user, **report.validated_data)
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=JudgementSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: Any = None) -> Response:
        """R-RESP-2: the judging head or deputy escalates it as an emergency."""
        note = self._text(request)
        incident = services.incident_escalate(
            actor=request.user, incident=self.get_object(), note=note
        )
        return Response(IncidentSerializer(incident).data)

    @extend_schema(request=JudgementSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="close-as-fault")
    def close_as_fault(self, request: Request, pk: Any = None) -> Response:
        """R-RESP-2: the judging head or deputy closes it as an ordinary fault, saying why."""
        reason = self._text(request)
        incident = services.incident_close_as_fault(
            actor=request.user, incident=self.get_object(), reason=reason
        )
        return Response(IncidentSerializer(incident).data)

    @extend_schema(responses=TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: Any = None) -> Response:
        entries = self.get_object().timeline.all()
        return Response(TimelineEntrySerializer(entries, many=True).data)

    @staticmethod
    def _text(request: Request) -> str:
        judgement = JudgementSerializer(data=request.data)
        judgement.is_valid(raise_exception=True)
        return judgement.validated_data["text"]
