"""/api/v1/incidents/: every step of the response flow, with the same access rules as the
pages (queries for reading, services for every change)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from yingji.core.api import validated
from yingji.core.word import DOCX
from yingji.incidents import serializers as s
from yingji.incidents import services
from yingji.incidents.export import EXPORT_ROWS, incident_docx, incidents_xlsx
from yingji.incidents.filters import ApiIncidentFilter
from yingji.incidents.models import GradingRule, Incident, Task
from yingji.incidents.queries import get_incident_for, visible_incidents
from yingji.incidents.views import XLSX, attachment_response, file_download
from yingji.org.queries import require_org_manager


class NewestFirst(CursorPagination):
    """O(page) at any depth: no COUNT over 100,000 incidents, no OFFSET scan."""

    ordering = ("-reported_at", "-id")
    page_size = 50


class InOrder(CursorPagination):
    ordering = ("at", "id")
    page_size = 200


class IncidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Incidents the caller may see; report one with POST, take each step with the actions."""

    serializer_class = s.IncidentSerializer
    lookup_value_regex = "[0-9]+"
    pagination_class = NewestFirst
    filter_backends = [DjangoFilterBackend]  # the list page's filters, as query parameters
    filterset_class = ApiIncidentFilter

    def get_queryset(self) -> QuerySet[Incident]:
        return visible_incidents(self.request.user).order_by("-reported_at", "-pk")

    def get_object(self) -> Incident:
        return get_incident_for(self.request.user, self.kwargs["pk"])

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY}, filters=True)
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        """The list, filtered as with the list's parameters, as an .xlsx workbook."""
        rows = self.filter_queryset(self.get_queryset()).select_related("department")
        content = incidents_xlsx(rows[:EXPORT_ROWS].iterator(chunk_size=500))
        return file_download(content, XLSX, "incidents.xlsx")

    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def document(self, request: Request, pk: Any = None) -> HttpResponse:
        """The incident as a Word report (the page's "Word report")."""
        incident = self.get_object()
        return file_download(incident_docx(incident), DOCX, f"incident-{incident.pk}.docx")

    def _incident(self, incident: Incident) -> Response:
        return Response(s.IncidentSerializer(Incident.objects.get(pk=incident.pk)).data)

    @extend_schema(request=s.ReportSerializer, responses={201: s.IncidentSerializer})
    def create(self, request: Request) -> Response:
        """R-RESP-1/3: anyone in the organisation reports."""
        data = validated(s.ReportSerializer, request)
        incident = services.incident_report(actor=request.user, **data)
        return Response(s.IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TextSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: Any = None) -> Response:
        """R-RESP-2: the judging head or deputy escalates it as an emergency."""
        note = validated(s.TextSerializer, request)["text"]
        incident = services.incident_escalate(
            actor=request.user, incident=self.get_object(), note=note
        )
        return self._incident(incident)

    @extend_schema(request=s.TextSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"], url_path="close-as-fault")
    def close_as_fault(self, request: Request, pk: Any = None) -> Response:
        """R-RESP-2: the judging head or deputy closes it as an ordinary fault, saying why."""
        reason = validated(s.TextSerializer, request)["text"]
        incident = services.incident_close_as_fault(
            actor=request.user, incident=self.get_object(), reason=reason
        )
        return self._incident(incident)

    @extend_schema(request=s.DecisionSerializer, responses={201: s.AssessmentSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        """R-ACT-1: a leadership member records the meeting and decides: activate (with plans,
        level and assembly point, R-ACT-2), watch, or close."""
        data = validated(s.DecisionSerializer, request)
        assessment = services.incident_decide(
            actor=request.user, incident=self.get_object(), **data
        )
        return Response(s.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.AssessmentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def assessments(self, request: Request, pk: Any = None) -> Response:
        rows = self.get_object().assessments.prefetch_related("attendees")
        return Response(s.AssessmentSerializer(rows, many=True).data)

    @extend_schema(responses=dict)
    @action(detail=True, methods=["get"])
    def recommendation(self, request: Request, pk: Any = None) -> Response:
        """What the grading rules suggest for the incident's facts (R-ACT-1)."""
        return Response(services.recommendation(self.get_object()))

    @extend_schema(request=s.FactsSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def facts(self, request: Request, pk: Any = None) -> Response:
        data = validated(s.FactsSerializer, request)
        incident = services.incident_set_facts(
            actor=request.user, incident=self.get_object(), **data
        )
        return self._incident(incident)

    @extend_schema(request=s.RegradeSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request: Request, pk: Any = None) -> Response:
        """Raise or lower the grade with a reason (leadership or experts)."""
        data = validated(s.RegradeSerializer, request)
        incident = services.incident_regrade(actor=request.user, incident=self.get_object(), **data)
        return self._incident(incident)

    @extend_schema(methods=["get"], responses=s.HandlingPlanSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request=s.HandlingPlanSerializer,
        responses={201: s.HandlingPlanSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="handling-plans")
    def handling_plans(self, request: Request, pk: Any = None) -> Response:
        """R-HANDLE-1: every revision, newest first; POST adds one (experts)."""
        incident = self.get_object()
        if request.method == "GET":
            return Response(s.HandlingPlanSerializer(incident.handling_plans.all(), many=True).data)
        data = validated(s.HandlingPlanSerializer, request)
        revision = services.handling_plan_revise(actor=request.user, incident=incident, **data)
        return Response(s.HandlingPlanSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["get"], responses=s.TaskSerializer(many=True))
    @extend_schema(methods=["post"], request=s.TaskSerializer, responses={201: s.TaskSerializer})
    @action(detail=True, methods=["get", "post"])
    def tasks(self, request: Request, pk: Any = None) -> Response:
        incident = self.get_object()
        if request.method == "GET":
            return Response(s.TaskSerializer(incident.tasks.all(), many=True).data)
        data = validated(s.TaskSerializer, request)
        task = services.task_create(
            actor=request.user,
            incident=incident,
            title=data["title"],
            assignee=data.get("assignee"),
            details=data.get("details", ""),
            due_at=data.get("due_at"),
            checklist=data.get("checklist_items", []),
        )
        return Response(s.TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.TaskUpdateSerializer,
        responses=s.TaskSerializer,
        operation_id="incidents_task_update",
    )
    @action(detail=True, methods=["post"], url_path=r"tasks/(?P<task_pk>[0-9]+)")
    def task_update(self, request: Request, pk: Any = None, task_pk: Any = None) -> Response:
        """Status and checklist as a compare-and-swap on `revision` (409 when stale)."""
        incident = self.get_object()
        task = get_object_or_404(
            Task.objects.select_related("incident"), pk=task_pk, incident=incident
        )
        data = validated(s.TaskUpdateSerializer, request)
        task = services.task_update(actor=request.user, task=task, **data)
        return Response(s.TaskSerializer(task).data)

    @extend_schema(methods=["get"], responses=s.ProgressSerializer(many=True))
    @extend_schema(
        methods=["post"], request=s.ProgressSerializer, responses={201: s.ProgressSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def progress(self, request: Request, pk: Any = None) -> Response:
        """R-HANDLE-2: progress reports, newest first; POST reports one."""
        incident = self.get_object()
        if request.method == "GET":
            return Response(s.ProgressSerializer(incident.progress.all()[:200], many=True).data)
        data = validated(s.ProgressSerializer, request)
        report = services.progress_report(actor=request.user, incident=incident, **data)
        return Response(s.ProgressSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.TextSerializer, responses={204: None})
    @action(detail=True, methods=["post"])
    def support(self, request: Request, pk: Any = None) -> Response:
        """R-HANDLE-2: ask the expert group for help."""
        text = validated(s.TextSerializer, request)["text"]
        services.support_request(actor=request.user, incident=self.get_object(), text=text)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["get"], responses=s.ParticipantSerializer(many=True))
    @extend_schema(methods=["post"], request=s.ParticipantSerializer, responses={204: None})
    @action(detail=True, methods=["get", "post"])
    def participants(self, request: Request, pk: Any = None) -> Response:
        incident = self.get_object()
        if request.method == "GET":
            return Response(s.ParticipantSerializer(incident.participants.all(), many=True).data)
        data = validated(s.ParticipantSerializer, request)
        services.participant_add(
            actor=request.user, incident=incident, person=data["person"], role=data.get("role", "")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.EvaluationSerializer, responses={201: s.EvaluationSerializer})
    @action(detail=True, methods=["post"], url_path="recommend-end")
    def recommend_end(self, request: Request, pk: Any = None) -> Response:
        """R-END-1: the experts' recovery evaluation and end recommendation."""
        data = validated(s.EvaluationSerializer, request)
        outcomes = {t["task"]: (t["outcome"], t["reason"]) for t in data.pop("tasks")}
        evaluation = services.incident_recommend_end(
            actor=request.user, incident=self.get_object(), task_outcomes=outcomes, **data
        )
        return Response(s.EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.EndSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: Any = None) -> Response:
        """R-END-2: a leadership member orders the end; everyone is told."""
        data = validated(s.EndSerializer, request)
        return self._incident(
            services.incident_end(actor=request.user, incident=self.get_object(), **data)
        )

    @extend_schema(request=s.ReasonSerializer, responses=s.IncidentSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: Any = None) -> Response:
        """R-END-2: not yet: back to handling, saying what must still be done."""
        data = validated(s.ReasonSerializer, request)
        return self._incident(
            services.incident_resume(actor=request.user, incident=self.get_object(), **data)
        )

    @extend_schema(methods=["get"], responses=s.AttachmentSerializer(many=True))
    @extend_schema(
        methods=["post"],
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={204: None},
    )
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser])
    def attachments(self, request: Request, pk: Any = None) -> Response:
        """R-RESP-3: screenshots and files (pictures, PDF, text; size limited)."""
        incident = self.get_object()
        if request.method == "GET":
            rows = incident.attachments.defer("data")
            return Response(s.AttachmentSerializer(rows, many=True).data)
        files = [(f.name, f.read()) for f in request.FILES.getlist("files")]
        services.attachment_add(actor=request.user, incident=incident, files=files)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_pk>[0-9]+)")
    def attachment(self, request: Request, pk: Any = None, attachment_pk: Any = None) -> Any:
        """The file itself, with its type."""
        return attachment_response(self.get_object(), attachment_pk)

    @extend_schema(responses=s.TimelineEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=InOrder)
    def timeline(self, request: Request, pk: Any = None) -> Response:
        """Every step and note, oldest first, a page at a time (`next` is a cursor link)."""
        entries = self.get_object().timeline.all()
        pager = InOrder()
        page = pager.paginate_queryset(entries, request, view=self)
        return pager.get_paginated_response(s.TimelineEntrySerializer(page, many=True).data)


class GradingRuleViewSet(viewsets.ViewSet):
    """The grading table: everyone signed in reads it; the office and administrators change
    it (the same rules as the page)."""

    lookup_value_regex = "[0-9]+"

    @extend_schema(responses=s.GradingRuleSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(s.GradingRuleSerializer(GradingRule.objects.all(), many=True).data)

    @extend_schema(request=s.GradingRuleSerializer, responses={201: s.GradingRuleSerializer})
    def create(self, request: Request) -> Response:
        return self._save(request, None, status.HTTP_201_CREATED)

    @extend_schema(request=s.GradingRuleSerializer, responses=s.GradingRuleSerializer)
    def update(self, request: Request, pk: Any = None) -> Response:
        return self._save(request, get_object_or_404(GradingRule, pk=pk), status.HTTP_200_OK)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: Any = None) -> Response:
        services.grading_rule_delete(actor=request.user, rule=get_object_or_404(GradingRule, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _save(self, request: Request, rule: GradingRule | None, code: int) -> Response:
        data = validated(s.GradingRuleSerializer, request)
        saved = services.grading_rule_save(
            actor=request.user,
            rule=rule,
            grade=data["grade"],
            conditions=data["conditions"],
            note=data.get("note", ""),
        )
        return Response(s.GradingRuleSerializer(saved).data, status=code)


class NoticeTemplateViewSet(viewsets.ViewSet):
    """The all-staff notices (kind `activation` or `end`), for the office and administrators."""

    lookup_field = "kind"
    lookup_value_regex = "activation|end"

    @extend_schema(responses=s.NoticeTemplateSerializer)
    def retrieve(self, request: Request, kind: str = "") -> Response:
        require_org_manager(request.user)
        title, body = services.notice_template(kind)
        return Response({"kind": kind, "title": title, "body": body})

    @extend_schema(request=s.NoticeTemplateSerializer, responses=s.NoticeTemplateSerializer)
    def update(self, request: Request, kind: str = "") -> Response:
        data = validated(s.NoticeTemplateSerializer, request)
        saved = services.notice_template_save(actor=request.user, kind=kind, **data)
        return Response({"kind": kind, "title": saved.title, "body": saved.body})
