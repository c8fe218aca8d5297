"""/api/v1/recovery/ (recovery plans, rebuild items, summary reports and their sections,
reviews) and /api/v1/improvements/ (the register and the continuous-improvement plan), with
the pages' rules through the same services and access queries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from yingji.core.access import one_of
from yingji.core.api import ModelSerializer, MomentField, validated
from yingji.core.errors import DomainError
from yingji.core.files import file_response
from yingji.core.word import DOCX
from yingji.incidents.models import Incident
from yingji.incidents.queries import visible_incidents
from yingji.monitoring.models import Rule
from yingji.org.models import Department, Person
from yingji.plans.models import Plan
from yingji.recovery import queries
from yingji.recovery.choices import (
    Change,
    RebuildKind,
    RebuildStatus,
    Source,
    StepStatus,
)
from yingji.recovery.documents import (
    XLSX,
    ci_plan_docx,
    ci_plan_name,
    ci_plan_workbook,
    summary_docx,
)
from yingji.recovery.filters import MeasureFilter
from yingji.recovery.models import (
    ImprovementPlan,
    Measure,
    RebuildItem,
    RecoveryPlan,
    RecoveryStep,
    Review,
    SummaryReport,
    SummarySection,
)
from yingji.recovery.services import measures, summary, work
from yingji.reserves.models import ReserveClass
from yingji.risks.models import Risk

ID = "[0-9]+"


class RecoveryStepSerializer(ModelSerializer):
    class Meta:
        model = RecoveryStep
        fields = ["id", "position", "description", "due_at", "owner", "status", "note", "done_at"]
        read_only_fields = fields


class RecoveryPlanSerializer(ModelSerializer):
    steps = RecoveryStepSerializer(many=True, read_only=True)

    class Meta:
        model = RecoveryPlan
        fields = [
            "id",
            "incident",
            "department",
            "owner",
            "status",
            "impact",
            "goals",
            "due_at",
            "approved_at",
            "completed_at",
            "withdrawn_reason",
            "steps",
        ]
        read_only_fields = fields


class RecoveryGoalsSerializer(serializers.Serializer):
    goals = serializers.CharField(max_length=20_000)
    impact = serializers.CharField(
        max_length=20_000, required=False, allow_blank=True, default=None
    )


class RecoveryStepInSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    due_at = MomentField()
    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())


class RecoveryStepsSerializer(serializers.Serializer):
    steps = RecoveryStepInSerializer(many=True)


class RecoveryStepUpdateSerializer(serializers.Serializer):
    step = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StepStatus.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RecoveryReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RecoveryPlanCreateSerializer(serializers.Serializer):
    incident = serializers.IntegerField()
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())


def _incident(request: Request, pk: Any) -> Incident:
    return one_of(visible_incidents(request.user), pk)


class RecoveryPlanViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """R-REC-1: each affected business department's recovery plan; `?incident=`."""

    serializer_class = RecoveryPlanSerializer
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[RecoveryPlan]:
        rows = queries.visible_plans(self.request.user).prefetch_related("steps").order_by("pk")
        incident = self.request.query_params.get("incident", "")
        return rows.filter(incident_id=int(incident)) if incident.isdigit() else rows

    def get_object(self) -> RecoveryPlan:
        return queries.get_plan_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=RecoveryPlanCreateSerializer, responses={201: RecoveryPlanSerializer})
    def create(self, request: Request) -> Response:
        data = validated(RecoveryPlanCreateSerializer, request)
        plan = work.plan_add(
            actor=request.user,
            incident=_incident(request, data["incident"]),
            department=data["department"],
        )
        return Response(RecoveryPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RecoveryGoalsSerializer, responses=RecoveryPlanSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        plan = work.plan_update(
            actor=request.user,
            plan=self.get_object(),
            **validated(RecoveryGoalsSerializer, request),
        )
        return Response(RecoveryPlanSerializer(plan).data)

    @extend_schema(request=RecoveryStepsSerializer, responses=RecoveryPlanSerializer)
    @action(detail=True, methods=["put"])
    def steps(self, request: Request, pk: Any = None) -> Response:
        """All the plan's steps at once, each with what, its time point and its owner."""
        plan = self.get_object()
        work.steps_set(
            actor=request.user,
            plan=plan,
            steps=validated(RecoveryStepsSerializer, request)["steps"],
        )
        return Response(RecoveryPlanSerializer(self.get_object()).data)

    @extend_schema(request=None, responses=RecoveryPlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        plan = work.plan_approve(actor=request.user, plan=self.get_object())
        return Response(RecoveryPlanSerializer(plan).data)

    @extend_schema(request=RecoveryStepUpdateSerializer, responses=RecoveryStepSerializer)
    @action(detail=True, methods=["post"], url_path="step-status")
    def step_status(self, request: Request, pk: Any = None) -> Response:
        plan = self.get_object()
        data = validated(RecoveryStepUpdateSerializer, request)
        step = one_of(plan.steps.all(), data.pop("step"))
        return Response(
            RecoveryStepSerializer(work.step_update(actor=request.user, step=step, **data)).data
        )

    @extend_schema(request=RecoveryReasonSerializer, responses=RecoveryPlanSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        plan = work.plan_withdraw(
            actor=request.user,
            plan=self.get_object(),
            **validated(RecoveryReasonSerializer, request),
        )
        return Response(RecoveryPlanSerializer(plan).data)


class RecoveryRebuildSerializer(ModelSerializer):
    class Meta:
        model = RebuildItem
        fields = [
            "id",
            "incident",
            "kind",
            "target",
            "description",
            "owner",
            "due_at",
            "verification",
            "status",
            "result",
            "done_at",
            "task",
        ]
        read_only_fields = ["id", "status", "result", "done_at", "task"]


class RecoveryRebuildChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RebuildKind.choices, required=False)
    target = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20_000, required=False)
    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False)
    due_at = MomentField(required=False)
    verification = serializers.CharField(max_length=500, required=False)


class RecoveryRebuildFinishSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[RebuildStatus.DONE, RebuildStatus.CANCELLED])
    result = serializers.CharField(max_length=20_000)


class RebuildViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R-REC-2: restore, harden or optimise a system, verified as planned; `?incident=`."""

    serializer_class = RecoveryRebuildSerializer
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[RebuildItem]:
        rows = queries.visible_rebuild(self.request.user).order_by("pk")
        incident = self.request.query_params.get("incident", "")
        return rows.filter(incident_id=int(incident)) if incident.isdigit() else rows

    def get_object(self) -> RebuildItem:
        return queries.get_rebuild_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=RecoveryRebuildSerializer, responses={201: RecoveryRebuildSerializer})
    def create(self, request: Request) -> Response:
        data = validated(RecoveryRebuildSerializer, request)
        incident = _incident(request, data.pop("incident").pk)
        item = work.rebuild_create(actor=request.user, incident=incident, **data)
        return Response(RecoveryRebuildSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RecoveryRebuildChangeSerializer, responses=RecoveryRebuildSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        item = work.rebuild_update(
            actor=request.user,
            item=self.get_object(),
            **validated(RecoveryRebuildChangeSerializer, request),
        )
        return Response(RecoveryRebuildSerializer(item).data)

    @extend_schema(request=RecoveryRebuildFinishSerializer, responses=RecoveryRebuildSerializer)
    @action(detail=True, methods=["post"])
    def finish(self, request: Request, pk: Any = None) -> Response:
        item = work.rebuild_finish(
            actor=request.user,
            item=self.get_object(),
            **validated(RecoveryRebuildFinishSerializer, request),
        )
        return Response(RecoveryRebuildSerializer(item).data)


class RecoverySectionSerializer(ModelSerializer):
    class Meta:
        model = SummarySection
        fields = ["id", "key", "position", "author", "required", "text", "updated_at"]
        read_only_fields = fields


class RecoverySummarySerializer(ModelSerializer):
    sections = RecoverySectionSerializer(many=True, read_only=True)

    class Meta:
        model = SummaryReport
        fields = [
            "id",
            "incident",
            "status",
            "owner",
            "due_at",
            "regulator_due_at",
            "security",
            "customers_affected",
            "failed_transactions",
            "records_affected",
            "calls_received",
            "regulator_reports",
            "interruptions",
            "submitted_at",
            "approved_at",
            "published_at",
            "return_comment",
            "revision",
            "sections",
        ]
        read_only_fields = fields


class RecoveryInterruptionSerializer(serializers.Serializer):
    business = serializers.CharField(max_length=100)
    minutes = serializers.IntegerField(min_value=0, max_value=10**9)


class RecoveryImpactSerializer(serializers.Serializer):
    customers_affected = serializers.IntegerField(
        min_value=0, max_value=10**15, required=False, allow_null=True
    )
    failed_transactions = serializers.IntegerField(
        min_value=0, max_value=10**15, required=False, allow_null=True
    )
    records_affected = serializers.IntegerField(
        min_value=0, max_value=10**15, required=False, allow_null=True
    )
    calls_received = serializers.IntegerField(
        min_value=0, max_value=10**15, required=False, allow_null=True
    )
    regulator_reports = serializers.IntegerField(
        min_value=0, max_value=10**9, required=False, allow_null=True
    )
    interruptions = RecoveryInterruptionSerializer(many=True, required=False)


class RecoverySectionInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=50_000, allow_blank=True)
    revision = serializers.IntegerField(required=False, allow_null=True, default=None)


class RecoveryCommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class SummaryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R-REV-1: the summary report; sections by key; submit, approve, return, publish."""

    serializer_class = RecoverySummarySerializer
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[SummaryReport]:
        return (
            queries.visible_reports(self.request.user).prefetch_related("sections").order_by("-pk")
        )

    def get_object(self) -> SummaryReport:
        return queries.get_report_for(self.request.user, self.kwargs["pk"])

    def _reply(self, report: SummaryReport) -> Response:
        return Response(RecoverySummarySerializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(request=RecoveryImpactSerializer, responses=RecoverySummarySerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """The impact table."""
        report = summary.impact_save(
            actor=request.user,
            report=self.get_object(),
            **validated(RecoveryImpactSerializer, request),
        )
        return self._reply(report)

    @extend_schema(request=RecoverySectionInSerializer, responses=RecoverySectionSerializer)
    @action(detail=True, methods=["put"], url_path=r"sections/(?P<key>[a-z_]+)")
    def section(self, request: Request, pk: Any = None, key: str = "") -> Response:
        report = self.get_object()
        found = report.sections.filter(key=key).first()
        if found is None:
            raise DomainError("Unknown section.", field="key")
        data = validated(RecoverySectionInSerializer, request)
        saved = summary.section_save(actor=request.user, section=found, **data)
        return Response(RecoverySectionSerializer(saved).data)

    @extend_schema(request=None, responses=RecoverySummarySerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._reply(summary.report_submit(actor=request.user, report=self.get_object()))

    @extend_schema(request=None, responses=RecoverySummarySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._reply(summary.report_approve(actor=request.user, report=self.get_object()))

    @extend_schema(request=RecoveryCommentSerializer, responses=RecoverySummarySerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: Request, pk: Any = None) -> Response:
        data = validated(RecoveryCommentSerializer, request)
        return self._reply(
            summary.report_return(actor=request.user, report=self.get_object(), **data)
        )

    @extend_schema(request=None, responses=RecoverySummarySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        return self._reply(summary.report_publish(actor=request.user, report=self.get_object()))

    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def docx(self, request: Request, pk: Any = None) -> HttpResponse:
        report = self.get_object()
        return summary_docx(report).response(f"summary-{report.incident_id}.docx")


class RecoveryReviewSerializer(ModelSerializer):
    class Meta:
        model = Review
        fields = [
            "id",
            "incident",
            "status",
            "owner",
            "due_at",
            "scheduled_at",
            "place",
            "held_at",
            "attendees",
            "answers",
            "minutes",
        ]
        read_only_fields = fields


class RecoveryScheduleSerializer(serializers.Serializer):
    scheduled_at = MomentField()
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    attendees = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), many=True, required=False, default=list
    )


class RecoveryAnswersSerializer(serializers.Serializer):
    data_kept = serializers.BooleanField()
    impact_complete = serializers.BooleanField()
    cause_deep = serializers.BooleanField()
    actions_right = serializers.BooleanField()
    shared = serializers.BooleanField()


class RecoveryMeasureInSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    details = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    change = serializers.ChoiceField(choices=Change.choices)
    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    due = serializers.DateField()
    plan = serializers.PrimaryKeyRelatedField(
        queryset=Plan.objects.all(), required=False, allow_null=True, default=None
    )


class RecoveryRecordSerializer(serializers.Serializer):
    held_at = MomentField()
    attendees = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True)
    answers = RecoveryAnswersSerializer()
    minutes = serializers.CharField(max_length=20_000)
    measures = RecoveryMeasureInSerializer(many=True, required=False, default=list)


class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R-REV-2: the review meeting; `schedule`, then `record` with its measures."""

    serializer_class = RecoveryReviewSerializer
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[Review]:
        return (
            queries.visible_reviews(self.request.user).prefetch_related("attendees").order_by("-pk")
        )

    def get_object(self) -> Review:
        return queries.get_review_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=RecoveryScheduleSerializer, responses=RecoveryReviewSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: Any = None) -> Response:
        review = work.review_schedule(
            actor=request.user,
            review=self.get_object(),
            **validated(RecoveryScheduleSerializer, request),
        )
        return Response(RecoveryReviewSerializer(review).data)

    @extend_schema(request=RecoveryRecordSerializer, responses=RecoveryReviewSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: Any = None) -> Response:
        review = work.review_record(
            actor=request.user,
            review=self.get_object(),
            **validated(RecoveryRecordSerializer, request),
        )
        return Response(RecoveryReviewSerializer(review).data)


class ImprovementMeasureSerializer(ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "id",
            "title",
            "details",
            "source",
            "source_ref",
            "incident",
            "review",
            "change",
            "owner",
            "due",
            "status",
            "overdue",
            "plan",
            "risk",
            "reserve_class",
            "rule",
            "done_note",
            "done_at",
            "evidence_link",
            "evidence_note",
            "verified_at",
            "not_doing_reason",
            "not_doing_proposed",
            "created_at",
        ]
        read_only_fields = fields

    def get_overdue(self, measure: Measure) -> bool:
        return measure.overdue


class ImprovementCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    details = serializers.CharField(max_length=20_000, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=Source.choices)  # type: ignore[assignment]
    source_ref = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    incident = serializers.IntegerField(required=False, allow_null=True, default=None)
    change = serializers.ChoiceField(choices=Change.choices)
    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    due = serializers.DateField()
    plan = serializers.PrimaryKeyRelatedField(
        queryset=Plan.objects.all(), required=False, allow_null=True, default=None
    )
    risk = serializers.PrimaryKeyRelatedField(
        queryset=Risk.objects.all(), required=False, allow_null=True, default=None
    )
    reserve_class = serializers.PrimaryKeyRelatedField(
        queryset=ReserveClass.objects.all(), required=False, allow_null=True, default=None
    )
    rule = serializers.PrimaryKeyRelatedField(
        queryset=Rule.objects.all(), required=False, allow_null=True, default=None
    )


class ImprovementChangeSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, required=False)
    details = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    change = serializers.ChoiceField(choices=Change.choices, required=False)
    owner = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False)
    due = serializers.DateField(required=False)
    plan = serializers.PrimaryKeyRelatedField(
        queryset=Plan.objects.all(), required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ImprovementNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=20_000)


class ImprovementVerifySerializer(serializers.Serializer):
    evidence_note = serializers.CharField(max_length=20_000)
    evidence_link = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


class ImprovementDecisionSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ImprovementEvidenceSerializer(serializers.Serializer):
    file = serializers.FileField()


class MeasureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R-REV-2: the improvement register, with the page's filters; each step of a measure."""

    serializer_class = ImprovementMeasureSerializer
    filterset_class = MeasureFilter
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[Measure]:
        return queries.visible_measures(self.request.user).order_by("due", "pk")

    def get_object(self) -> Measure:
        return queries.get_measure_for(self.request.user, self.kwargs["pk"])

    def _reply(self, measure: Measure) -> Response:
        return Response(ImprovementMeasureSerializer(self.get_object()).data)

    @extend_schema(
        request=ImprovementCreateSerializer, responses={201: ImprovementMeasureSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(ImprovementCreateSerializer, request)
        incident = data.pop("incident")
        made = measures.measure_create(
            actor=request.user,
            incident=_incident(request, incident) if incident is not None else None,
            **data,
        )
        return Response(ImprovementMeasureSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ImprovementChangeSerializer, responses=ImprovementMeasureSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        data = validated(ImprovementChangeSerializer, request)
        reason = data.pop("reason")
        measure = measures.measure_update(
            actor=request.user, measure=self.get_object(), reason=reason, **data
        )
        return self._reply(measure)

    @extend_schema(request=None, responses=ImprovementMeasureSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None) -> Response:
        return self._reply(measures.measure_start(actor=request.user, measure=self.get_object()))

    @extend_schema(request=ImprovementNoteSerializer, responses=ImprovementMeasureSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: Any = None) -> Response:
        data = validated(ImprovementNoteSerializer, request)
        return self._reply(
            measures.measure_done(actor=request.user, measure=self.get_object(), **data)
        )

    @extend_schema(request=ImprovementVerifySerializer, responses=ImprovementMeasureSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: Any = None) -> Response:
        data = validated(ImprovementVerifySerializer, request)
        return self._reply(
            measures.measure_verify(actor=request.user, measure=self.get_object(), **data)
        )

    @extend_schema(request=RecoveryReasonSerializer, responses=ImprovementMeasureSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        data = validated(RecoveryReasonSerializer, request)
        return self._reply(
            measures.measure_reopen(actor=request.user, measure=self.get_object(), **data)
        )

    @extend_schema(request=RecoveryReasonSerializer, responses=ImprovementMeasureSerializer)
    @action(detail=True, methods=["post"], url_path="propose-not-doing")
    def propose_not_doing(self, request: Request, pk: Any = None) -> Response:
        data = validated(RecoveryReasonSerializer, request)
        return self._reply(
            measures.not_doing_propose(actor=request.user, measure=self.get_object(), **data)
        )

    @extend_schema(request=ImprovementDecisionSerializer, responses=ImprovementMeasureSerializer)
    @action(detail=True, methods=["post"], url_path="decide-not-doing")
    def decide_not_doing(self, request: Request, pk: Any = None) -> Response:
        data = validated(ImprovementDecisionSerializer, request)
        return self._reply(
            measures.not_doing_decide(actor=request.user, measure=self.get_object(), **data)
        )

    @extend_schema(
        request={"multipart/form-data": ImprovementEvidenceSerializer},
        responses={201: ImprovementMeasureSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def evidence(self, request: Request, pk: Any = None) -> Response:
        data = validated(ImprovementEvidenceSerializer, request)
        upload = data["file"]
        measures.evidence_add(
            actor=request.user, measure=self.get_object(), files=[(upload.name, upload.read())]
        )
        return Response(
            ImprovementMeasureSerializer(self.get_object()).data, status=status.HTTP_201_CREATED
        )


class ImprovementPlanSerializer(ModelSerializer):
    class Meta:
        model = ImprovementPlan
        fields = ["id", "year", "quarter", "status", "measure_ids", "note", "approved_at"]
        read_only_fields = fields


class ImprovementApproveSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(
        min_value=1, max_value=4, required=False, allow_null=True, default=None
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ImprovementPlanViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """R-REV-2: the continuous-improvement plans; `approve` a year or quarter; its `.xlsx` and
    `.docx` with `?year=&quarter=`."""

    serializer_class = ImprovementPlanSerializer

    def get_queryset(self) -> QuerySet[ImprovementPlan]:
        if not queries.sees_register(self.request.user):
            return ImprovementPlan.objects.none()
        return ImprovementPlan.objects.order_by("-year", "quarter")

    @extend_schema(request=ImprovementApproveSerializer, responses={201: ImprovementPlanSerializer})
    @action(detail=False, methods=["post"])
    def approve(self, request: Request) -> Response:
        plan = measures.ci_plan_approve(
            actor=request.user, **validated(ImprovementApproveSerializer, request)
        )
        return Response(ImprovementPlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    def _period(
        self, request: Request
    ) -> tuple[int, int | None, list[Measure], ImprovementPlan | None]:
        checked = ImprovementApproveSerializer(data=request.query_params)
        checked.is_valid(raise_exception=True)
        data = checked.validated_data
        rows = list(
            measures.plan_measures(request.user, data["year"], data["quarter"]).select_related(
                "owner", "incident"
            )
        )
        plan = ImprovementPlan.objects.filter(year=data["year"], quarter=data["quarter"]).first()
        return data["year"], data["quarter"], rows, plan

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def xlsx(self, request: Request) -> HttpResponse:
        year, quarter, rows, plan = self._period(request)
        name = ci_plan_name(year, quarter)
        return file_response(f"{name}.xlsx", XLSX, ci_plan_workbook(rows, plan))

    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def docx(self, request: Request) -> HttpResponse:
        year, quarter, rows, plan = self._period(request)
        name = ci_plan_name(year, quarter)
        return ci_plan_docx(rows, plan, year, quarter).response(f"{name}.docx")
