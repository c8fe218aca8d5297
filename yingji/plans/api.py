"""/api/v1/plans/: plans, their versions, steps and approvals, with the pages' rules."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from yingji.core.api import validated
from yingji.core.files import file_response
from yingji.org.choices import Scenario
from yingji.org.models import Department
from yingji.plans import services
from yingji.plans.choices import Tier
from yingji.plans.models import (
    Plan,
    PlanApproval,
    PlanAttachment,
    PlanComment,
    PlanReview,
    PlanStep,
    PlanVersion,
)
from yingji.plans.queries import get_plan_for, visible_plans, visible_versions
from yingji.plans.views import DOCX, word_document
from yingji.plans.xlsx import read_steps


class PlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "title",
            "tier",
            "category",
            "owner_department",
            "review_months",
            "review_due",
            "early_review_reason",
            "created_at",
        ]
        read_only_fields = ["review_due", "early_review_reason", "created_at"]


class PlanCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=200)
    tier = serializers.ChoiceField(choices=Tier.choices)
    category = serializers.ChoiceField(choices=Scenario.choices, required=False, allow_blank=True)
    owner_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    review_months = serializers.IntegerField(min_value=1, max_value=12, required=False)


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanStep
        fields = [
            "position",
            "title",
            "when",
            "group",
            "how",
            "where",
            "expected_minutes",
            "checklist",
            "after",
        ]


class ApprovalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanApproval
        fields = ["by", "approve", "comment", "at"]


class CommentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanComment
        fields = ["id", "section", "by", "text", "at"]
        read_only_fields = ["id", "by", "at"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanReview
        fields = ["id", "version", "outcome", "by", "note", "at", "next_due"]


class ReviewInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["confirm", "revise"])
    note = serializers.CharField(max_length=2000)


class StepsWorkbookSerializer(serializers.Serializer):
    file = serializers.FileField()


class PlanAttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "at"]


class PlanAttachmentsInputSerializer(serializers.Serializer):
    attachments = serializers.ListField(child=serializers.FileField(), max_length=10)


class VersionSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)
    approvals = ApprovalSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = [
            "id",  # what a decision names to activate this version (R-ACT-1)
            "number",
            "status",
            "scope",
            "group_duties",
            "criteria",
            "criteria_text",
            "data_recovery",
            "business_measures",
            "resources",
            "contacts",
            "author",
            "created_at",
            "approved_at",
            "steps",
            "approvals",
            "comments",
            "attachments",
        ]
        read_only_fields = ["number", "status", "author", "created_at", "approved_at"]

    @extend_schema_field(PlanAttachmentSerializer(many=True))
    def get_attachments(self, version: PlanVersion) -> Any:
        """The files' names and sizes, never their bytes (one query per version)."""
        return PlanAttachmentSerializer(version.attachments.defer("data"), many=True).data


class VersionUpdateSerializer(serializers.Serializer):
    """Any of the version's contents; the service checks criteria and duties."""

    scope = serializers.CharField(required=False, allow_blank=True)
    group_duties = serializers.JSONField(required=False)
    criteria = serializers.JSONField(required=False)
    criteria_text = serializers.CharField(required=False, allow_blank=True)
    data_recovery = serializers.CharField(required=False, allow_blank=True)
    business_measures = serializers.CharField(required=False, allow_blank=True)
    resources = serializers.CharField(required=False, allow_blank=True)
    contacts = serializers.CharField(required=False, allow_blank=True)


class StepsSerializer(serializers.Serializer):
    steps = serializers.ListField(child=serializers.DictField(), max_length=100)


class StepActionSerializer(serializers.Serializer):
    """submit, send_for_approval, return (with a comment) or approve."""

    action = serializers.ChoiceField(choices=["submit", "send_for_approval", "return", "approve"])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


VERSION = r"versions/(?P<number>[0-9]+)"


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Plans everyone inside reads; the office, experts and owners write; leaders approve."""

    serializer_class = PlanSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Plan]:
        return visible_plans(self.request.user).order_by("tier", "code")

    def get_object(self) -> Plan:
        return get_plan_for(self.request.user, self.kwargs["pk"])

    def _version(self, number: Any) -> PlanVersion:
        versions = visible_versions(self.request.user, self.get_object())
        return get_object_or_404(versions, number=number)

    @extend_schema(request=PlanCreateSerializer, responses={201: PlanSerializer})
    def create(self, request: Request) -> Response:
        plan = services.plan_create(actor=request.user, **validated(PlanCreateSerializer, request))
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: Any = None) -> Response:
        rows = visible_versions(request.user, self.get_object()).prefetch_related(
            "steps", "approvals", "comments"
        )
        return Response(VersionSerializer(rows, many=True).data)

    @extend_schema(request=VersionUpdateSerializer, responses=VersionSerializer)
    @action(detail=True, methods=["patch"], url_path=VERSION)
    def version_update(self, request: Request, pk: Any = None, number: Any = None) -> Response:
        """Change a draft or returned version; an approved one is refused (409) and audited."""
        version = self._version(number)
        services.version_update(
            actor=request.user, version=version, **validated(VersionUpdateSerializer, request)
        )
        return Response(VersionSerializer(version).data)

    @extend_schema(request=StepsSerializer, responses=VersionSerializer)
    @action(detail=True, methods=["put"], url_path=VERSION + "/steps")
    def steps(self, request: Request, pk: Any = None, number: Any = None) -> Response:
        """Replace the version's steps as a whole."""
        version = self._version(number)
        steps = validated(StepsSerializer, request)["steps"]
        services.steps_set(actor=request.user, version=version, steps=steps)
        return Response(VersionSerializer(version).data)

    @extend_schema(request=StepActionSerializer, responses=VersionSerializer)
    @action(detail=True, methods=["post"], url_path=VERSION + "/steps-of-approval")
    def approval_step(self, request: Request, pk: Any = None, number: Any = None) -> Response:
        """R-PLAN-2: submit, send for approval, return with comments, or approve."""
        version = self._version(number)
        data = validated(StepActionSerializer, request)
        if data["action"] == "approve":
            services.version_approve(actor=request.user, version=version, comment=data["comment"])
        else:
            services.version_transition(actor=request.user, version=version, **data)
        version.refresh_from_db()
        return Response(VersionSerializer(version).data)

    @extend_schema(request=None, responses={201: VersionSerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request: Request, pk: Any = None) -> Response:
        draft = services.version_new(actor=request.user, plan=self.get_object())
        return Response(VersionSerializer(draft).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StepsWorkbookSerializer, responses=VersionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=VERSION + "/steps-workbook",
        parser_classes=[MultiPartParser],
    )
    def steps_workbook(self, request: Request, pk: Any = None, number: Any = None) -> Response:
        """Replace the steps from an .xlsx workbook (the template from the plan page)."""
        version = self._version(number)
        upload = validated(StepsWorkbookSerializer, request)["file"]
        services.steps_set(actor=request.user, version=version, steps=read_steps(upload.read()))
        return Response(VersionSerializer(version).data)

    @extend_schema(request=CommentSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["post"], url_path=VERSION + "/comments")
    def comment(self, request: Request, pk: Any = None, number: Any = None) -> Response:
        """A reviewer's comment on one section of the version."""
        version = self._version(number)
        data = validated(CommentSerializer, request)
        comment = services.comment_add(actor=request.user, version=version, **data)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, DOCX): OpenApiTypes.BINARY},
        description="The version as a Word document in GB/T 29639 chapter order.",
    )
    @action(detail=True, methods=["get"], url_path=VERSION + "/document")
    def document(self, request: Request, pk: Any = None, number: Any = None) -> HttpResponse:
        return word_document(self._version(number))

    @extend_schema(request=ReviewInputSerializer, responses={201: ReviewSerializer})
    @action(detail=True, methods=["get", "post"])
    def reviews(self, request: Request, pk: Any = None) -> Response:
        """R-PLAN-3: the plan's reviews; POST confirms the approved version or revises it."""
        plan = self.get_object()
        if request.method == "GET":
            return Response(ReviewSerializer(plan.reviews.all()[:100], many=True).data)
        data = validated(ReviewInputSerializer, request)
        if data["outcome"] == "confirm":
            services.review_confirm(actor=request.user, plan=plan, note=data["note"])
        else:
            services.review_revise(actor=request.user, plan=plan, note=data["note"])
        return Response(ReviewSerializer(plan.reviews.first()).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PlanAttachmentsInputSerializer, responses=VersionSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path=VERSION + "/attachments",
        parser_classes=[MultiPartParser],
    )
    def attach(self, request: Request, pk: Any = None, number: Any = None) -> Response:
        """Add pictures, PDFs or text files to a draft (multipart field `attachments`)."""
        version = self._version(number)
        uploads = validated(PlanAttachmentsInputSerializer, request)["attachments"]
        files = [(f.name or "file", f.read()) for f in uploads]
        services.attachment_add(actor=request.user, version=version, files=files)
        return Response(VersionSerializer(version).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(
        detail=True, methods=["get"], url_path=VERSION + r"/attachments/(?P<attachment_pk>[0-9]+)"
    )
    def attachment(
        self, request: Request, pk: Any = None, number: Any = None, attachment_pk: Any = None
    ) -> HttpResponse:
        found = get_object_or_404(PlanAttachment, pk=attachment_pk, version=self._version(number))
        return file_response(found.name, found.content_type, bytes(found.data))
