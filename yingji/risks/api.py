"""/api/v1/risks/: matrices, settings, campaigns, assessments (with their quality checks and
review steps), risk items, acceptances and R&D projects — the pages' rules, through the same
services and the same access queries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yingji.core.access import one_of
from yingji.core.api import ModelSerializer, validated
from yingji.core.errors import AccessDenied
from yingji.core.files import file_response
from yingji.core.word import DOCX
from yingji.monitoring.models import Asset
from yingji.org.models import Department, Person
from yingji.risks import queries, services
from yingji.risks.choices import Family, Knowledge, ProjectStatus, Treatment
from yingji.risks.filters import RiskFilter
from yingji.risks.links import LINK_KINDS
from yingji.risks.models import (
    Acceptance,
    Assessment,
    Campaign,
    Project,
    ReviewComment,
    Risk,
    RiskMatrix,
)
from yingji.risks.quality import quality_check
from yingji.risks.report import assessment_docx
from yingji.risks.transfer import XLSX, import_register, register_workbook


class RiskMatrixSerializer(ModelSerializer):
    class Meta:
        model = RiskMatrix
        fields = ["id", "code", "version", "name", "definition", "created_at"]
        read_only_fields = ["version", "created_at"]


class RiskMatrixChangeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    definition = serializers.JSONField()


class RiskSettingsSerializer(serializers.Serializer):
    matrix = serializers.PrimaryKeyRelatedField(queryset=RiskMatrix.objects.all(), required=False)
    due_day = serializers.IntegerField(min_value=1, max_value=90, required=False)
    remind_days = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=60), max_length=5, required=False
    )
    auto_open = serializers.BooleanField(required=False)
    co_department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )


class RiskCampaignSerializer(ModelSerializer):
    class Meta:
        model = Campaign
        fields = [
            "id",
            "year",
            "quarter",
            "kind",
            "reason",
            "matrix",
            "due_date",
            "opened_by",
            "opened_at",
        ]


class RiskCampaignOpenSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2099)
    quarter = serializers.IntegerField(min_value=1, max_value=4)
    reason = serializers.CharField(max_length=300)
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.filter(active=True), many=True, required=False
    )


class RiskReviewCommentSerializer(ModelSerializer):
    class Meta:
        model = ReviewComment
        fields = ["id", "risk", "by", "text", "at"]
        read_only_fields = fields


class RiskAssessmentSerializer(ModelSerializer):
    comments = RiskReviewCommentSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "campaign",
            "project",
            "department",
            "co_department",
            "delegates",
            "year",
            "quarter",
            "matrix",
            "previous",
            "status",
            "due_date",
            "scope",
            "conclusion",
            "submitted_at",
            "submitted_by",
            "approved_at",
            "approved_by",
            "created_at",
            "comments",
        ]
        read_only_fields = fields


class RiskAssessmentChangeSerializer(serializers.Serializer):
    scope = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    conclusion = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class RiskDelegatesSerializer(serializers.Serializer):
    delegates = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), many=True)


class RiskFindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField()
    risk = serializers.IntegerField(allow_null=True)
    ref = serializers.CharField()


class RiskReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    risk_comments = serializers.DictField(
        child=serializers.CharField(max_length=4000), required=False, default=dict
    )


class RiskApproveSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class RiskImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)


class RiskLinkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(LINK_KINDS))
    target = serializers.IntegerField(min_value=1)
    name = serializers.CharField(read_only=True, source="label")


class RiskSerializer(ModelSerializer):
    links = serializers.SerializerMethodField()
    levels = serializers.SerializerMethodField()

    class Meta:
        model = Risk
        fields = [
            "id",
            "assessment",
            "number",
            "title",
            "family",
            "description",
            "assets",
            "existing_measures",
            *services.SCORE_FIELDS,
            "levels",
            "knowledge",
            "knowledge_note",
            "treatment",
            "treatment_plan",
            "owner",
            "treatment_due",
            "treatment_done",
            "mark",
            "closed_reason",
            "carried_from",
            "links",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(RiskLinkSerializer(many=True))
    def get_links(self, risk: Risk) -> Any:
        return [
            {"kind": link.kind, "target": link.target_id, "name": link.label}
            for link in risk.links.all()
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_levels(self, risk: Risk) -> dict[str, Any]:
        """Each stage's level on the assessment's matrix: index, name, meaning."""
        shape = risk.assessment.matrix.shape
        found = {}
        for stage in ("inherent", "current", "residual"):
            index = getattr(risk, f"{stage}_level")
            level = shape.levels[index] if index is not None else None
            found[stage] = (
                {"index": index, "name": level.name, "meaning": level.meaning} if level else None
            )
        return found


def _score_field() -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=7)


class RiskInputSerializer(serializers.Serializer):
    """A risk's fields; the scores are checked against the assessment's matrix."""

    title = serializers.CharField(max_length=200, required=False)
    family = serializers.ChoiceField(choices=Family.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    assets = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.all(), many=True, required=False
    )
    existing_measures = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    inherent_likelihood = _score_field()
    inherent_impact = _score_field()
    current_likelihood = _score_field()
    current_impact = _score_field()
    residual_likelihood = _score_field()
    residual_impact = _score_field()
    knowledge = serializers.ChoiceField(choices=Knowledge.choices, required=False, allow_blank=True)
    knowledge_note = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    treatment = serializers.ChoiceField(choices=Treatment.choices, required=False, allow_blank=True)
    treatment_plan = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    treatment_due = serializers.DateField(required=False, allow_null=True)
    treatment_done = serializers.BooleanField(required=False)


class RiskCreateSerializer(RiskInputSerializer):
    assessment = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200)
    family = serializers.ChoiceField(choices=Family.choices)


class RiskCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RiskLinksSerializer(serializers.Serializer):
    links = RiskLinkSerializer(many=True)


class RiskAcceptanceSerializer(ModelSerializer):
    class Meta:
        model = Acceptance
        fields = ["id", "risk", "by", "at", "expires", "note", "revoked_at"]
        read_only_fields = fields


class RiskAcceptanceInputSerializer(serializers.Serializer):
    expires = serializers.DateField()
    note = serializers.CharField(max_length=2000)


class RiskProjectSerializer(ModelSerializer):
    assessment: Any = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "department",
            "go_live",
            "systems",
            "description",
            "status",
            "assessment",
            "created_at",
        ]
        read_only_fields = ["status", "created_at"]


class RiskProjectCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.filter(active=True))
    go_live = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    systems = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.all(), many=True, required=False, default=list
    )


class RiskProjectStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ProjectStatus.choices)


# ---------------------------------------------------------------- viewsets


class MatrixViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The risk matrices; the office adds one, or changes one (in use: a new version)."""

    serializer_class = RiskMatrixSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[RiskMatrix]:
        return queries.visible_matrices(self.request.user).order_by("code", "version")

    @extend_schema(request=RiskMatrixSerializer, responses={201: RiskMatrixSerializer})
    def create(self, request: Request) -> Response:
        data = validated(RiskMatrixSerializer, request)
        matrix = services.matrix_create(actor=request.user, **data)
        return Response(RiskMatrixSerializer(matrix).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RiskMatrixChangeSerializer, responses=RiskMatrixSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Change the matrix; one in use is kept and the change becomes its next version
        (the answer is that version)."""
        matrix = one_of(self.get_queryset(), pk)
        saved = services.matrix_change(
            actor=request.user, matrix=matrix, **validated(RiskMatrixChangeSerializer, request)
        )
        return Response(RiskMatrixSerializer(saved).data)


class SettingsView(APIView):
    """The quarterly cycle's settings: matrix, due day, reminders, automatic opening."""

    @extend_schema(responses=RiskSettingsSerializer)
    def get(self, request: Request) -> Response:
        if not queries.can_manage(request.user) and not queries.sees_all(request.user):
            raise AccessDenied(
                _(
                    "Only the office, the leadership group and the experts read "
                    "the risk-assessment settings."
                )
            )
        return Response(_policy_data(services.unsaved_policy()))

    @extend_schema(request=RiskSettingsSerializer, responses=RiskSettingsSerializer)
    def patch(self, request: Request) -> Response:
        policy = services.policy_update(
            actor=request.user, **validated(RiskSettingsSerializer, request)
        )
        return Response(_policy_data(policy))


def _policy_data(policy: Any) -> dict[str, Any]:
    return {
        "matrix": policy.matrix_id,
        "due_day": policy.due_day,
        "remind_days": policy.remind_days,
        "auto_open": policy.auto_open,
        "co_department": policy.co_department_id,
    }


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RiskCampaignSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Campaign]:
        return queries.visible_campaigns(self.request.user).order_by("-year", "-quarter", "-pk")

    @extend_schema(request=RiskCampaignOpenSerializer, responses={201: RiskCampaignSerializer})
    def create(self, request: Request) -> Response:
        """Open a campaign by hand (e.g. after a reorganisation)."""
        data = validated(RiskCampaignOpenSerializer, request)
        campaign = services.campaign_open(
            actor=request.user,
            year=data["year"],
            quarter=data["quarter"],
            reason=data["reason"],
            departments=data.get("departments") or None,
        )
        return Response(RiskCampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assessments the caller may see; their steps are actions."""

    serializer_class = RiskAssessmentSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Assessment]:
        rows = queries.visible_assessments(self.request.user).prefetch_related(
            "delegates", "comments"
        )
        params = self.request.query_params
        for name in ("status", "year", "quarter", "department"):
            value = params.get(name, "")
            if value:
                if name != "status" and not value.isdigit():
                    raise serializers.ValidationError({name: "Give a whole number."})
                rows = rows.filter(**{name: value})
        return rows.order_by("-year", "-quarter", "pk")

    def get_object(self) -> Assessment:
        return queries.get_assessment_for(self.request.user, self.kwargs["pk"])

    def _answer(self, assessment: Assessment) -> Response:
        assessment.refresh_from_db()
        return Response(RiskAssessmentSerializer(assessment).data)

    @extend_schema(request=RiskAssessmentChangeSerializer, responses=RiskAssessmentSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        assessment = queries.get_assessment_for(request.user, pk, write=True)
        services.assessment_update(
            actor=request.user,
            assessment=assessment,
            **validated(RiskAssessmentChangeSerializer, request),
        )
        return self._answer(assessment)

    @extend_schema(request=RiskDelegatesSerializer, responses=RiskAssessmentSerializer)
    @action(detail=True, methods=["put"])
    def delegates(self, request: Request, pk: Any = None) -> Response:
        assessment = self.get_object()
        services.delegates_set(
            actor=request.user,
            assessment=assessment,
            people=validated(RiskDelegatesSerializer, request)["delegates"],
        )
        return self._answer(assessment)

    @extend_schema(responses=RiskFindingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def quality(self, request: Request, pk: Any = None) -> Response:
        """Every quality finding, errors (which block submission) first."""
        from django.utils import timezone

        findings = quality_check(self.get_object(), timezone.localdate())
        return Response([f.as_dict() for f in findings])

    @extend_schema(request=None, responses=RiskFindingSerializer(many=True))
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        """Submit for review; 400 with `findings` when blocking problems remain. Answers the
        warnings that remain."""
        warnings = services.assessment_submit(actor=request.user, assessment=self.get_object())
        return Response([f.as_dict() for f in warnings])

    @extend_schema(request=RiskApproveSerializer, responses=RiskAssessmentSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        assessment = self.get_object()
        services.assessment_approve(
            actor=request.user, assessment=assessment, **validated(RiskApproveSerializer, request)
        )
        return self._answer(assessment)

    @extend_schema(request=RiskReturnSerializer, responses=RiskAssessmentSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: Any = None) -> Response:
        """Return with a comment on the whole and `risk_comments` {risk id: comment}."""
        assessment = self.get_object()
        data = validated(RiskReturnSerializer, request)
        try:
            per_risk = {int(k): v for k, v in data["risk_comments"].items()}
        except ValueError:
            raise serializers.ValidationError(
                {"risk_comments": "Key each comment by a risk id."}
            ) from None
        services.assessment_return(
            actor=request.user,
            assessment=assessment,
            comment=data["comment"],
            risk_comments=per_risk,
        )
        return self._answer(assessment)

    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: Any = None) -> HttpResponse:
        """The quarterly risk assessment report as a Word document."""
        assessment = self.get_object()
        return file_response(
            f"risk-assessment-{assessment.pk}.docx", DOCX, assessment_docx(assessment)
        )

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def register(self, request: Request, pk: Any = None) -> HttpResponse:
        assessment = self.get_object()
        content = register_workbook(
            assessment.risks.select_related("assessment__department", "owner")
        )
        return file_response(f"risks-{assessment.pk}.xlsx", XLSX, content)

    @extend_schema(
        request={"multipart/form-data": RiskImportSerializer}, responses=OpenApiTypes.OBJECT
    )
    @action(detail=True, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_(self, request: Request, pk: Any = None) -> Response:
        """The register from a workbook: `dry_run` (default true) checks only; otherwise every
        row or none. 400 lists each refused row with its column."""
        assessment = queries.get_assessment_for(request.user, pk, write=True)
        data = validated(RiskImportSerializer, request)
        result = import_register(
            actor=request.user,
            assessment=assessment,
            content=data["file"].read(),
            dry_run=data["dry_run"],
        )
        body = {
            "dry_run": result.dry_run,
            "created": result.created,
            "updated": result.updated,
            "errors": [vars(e) for e in result.errors],
            "committed": result.committed,
        }
        return Response(body, status=400 if result.errors else 200)


class RiskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The risk register: the page's filters as query parameters."""

    serializer_class = RiskSerializer
    lookup_value_regex = "[0-9]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = RiskFilter

    def get_queryset(self) -> QuerySet[Risk]:
        return (
            queries.visible_risks(self.request.user)
            .select_related("assessment__matrix")
            .prefetch_related("links", "assets")
            .order_by("-assessment__year", "-assessment__quarter", "assessment_id", "number")
        )

    def get_object(self) -> Risk:
        return queries.get_risk_for(self.request.user, self.kwargs["pk"])

    def _answer(self, risk: Risk) -> Response:
        return Response(RiskSerializer(queries.get_risk_for(self.request.user, risk.pk)).data)

    @extend_schema(request=RiskCreateSerializer, responses={201: RiskSerializer})
    def create(self, request: Request) -> Response:
        data = validated(RiskCreateSerializer, request)
        assessment = queries.get_assessment_for(request.user, data.pop("assessment"), write=True)
        risk = services.risk_add(actor=request.user, assessment=assessment, **data)
        return Response(RiskSerializer(risk).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RiskInputSerializer, responses=RiskSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Change or re-score a risk (giving scores re-scores a carried-over one)."""
        risk = queries.get_risk_for(request.user, pk, write=True)
        services.risk_update(
            actor=request.user, risk=risk, **validated(RiskInputSerializer, request)
        )
        return self._answer(risk)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, pk: Any = None) -> Response:
        """Remove a risk added this quarter by mistake (a carried-over one is closed)."""
        services.risk_remove(
            actor=request.user, risk=queries.get_risk_for(request.user, pk, write=True)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=RiskCloseSerializer, responses=RiskSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        risk = queries.get_risk_for(request.user, pk, write=True)
        services.risk_close(
            actor=request.user, risk=risk, **validated(RiskCloseSerializer, request)
        )
        return self._answer(risk)

    @extend_schema(request=None, responses=RiskSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        risk = queries.get_risk_for(request.user, pk, write=True)
        services.risk_reopen(actor=request.user, risk=risk)
        return self._answer(risk)

    @extend_schema(request=RiskLinksSerializer, responses=RiskSerializer)
    @action(detail=True, methods=["put"])
    def links(self, request: Request, pk: Any = None) -> Response:
        """What treats the risk, replaced as a whole: [{kind, target}]."""
        risk = queries.get_risk_for(request.user, pk, write=True)
        links = validated(RiskLinksSerializer, request)["links"]
        services.links_set(
            actor=request.user, risk=risk, links=[(link["kind"], link["target"]) for link in links]
        )
        return self._answer(risk)

    @extend_schema(request=RiskAcceptanceInputSerializer, responses={201: RiskAcceptanceSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        """The leadership group accepts the risk until a date."""
        acceptance = services.acceptance_add(
            actor=request.user,
            risk=self.get_object(),
            **validated(RiskAcceptanceInputSerializer, request),
        )
        return Response(RiskAcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)


class AcceptanceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RiskAcceptanceSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Acceptance]:
        risks = queries.visible_risks(self.request.user).values("pk")
        return Acceptance.objects.filter(risk__in=risks).order_by("-at", "-pk")

    @extend_schema(request=None, responses=RiskAcceptanceSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: Any = None) -> Response:
        acceptance = one_of(self.get_queryset(), pk)
        services.acceptance_revoke(actor=request.user, acceptance=acceptance)
        return Response(RiskAcceptanceSerializer(acceptance).data)


class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """R&D projects; one goes live only after its technical-risk assessment is approved."""

    serializer_class = RiskProjectSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Project]:
        return (
            queries.visible_projects(self.request.user)
            .prefetch_related("systems")
            .order_by("-created_at", "-pk")
        )

    def get_object(self) -> Project:
        return queries.get_project_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=RiskProjectCreateSerializer, responses={201: RiskProjectSerializer})
    def create(self, request: Request) -> Response:
        project = services.project_create(
            actor=request.user, **validated(RiskProjectCreateSerializer, request)
        )
        return Response(RiskProjectSerializer(project).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RiskProjectStatusSerializer, responses=RiskProjectSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request: Request, pk: Any = None) -> Response:
        project = queries.get_project_for(request.user, pk, write=True)
        services.project_status(
            actor=request.user, project=project, **validated(RiskProjectStatusSerializer, request)
        )
        return Response(RiskProjectSerializer(project).data)
