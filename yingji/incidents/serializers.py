"""What the incidents API reads and writes; the rules themselves are in the services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from yingji.core.api import ModelSerializer, MomentField
from yingji.incidents.choices import TASK_OUTCOMES, Decision, TaskStatus
from yingji.incidents.models import (
    Assessment,
    Attachment,
    Evaluation,
    GradingRule,
    HandlingPlan,
    Incident,
    Participant,
    ProgressReport,
    Task,
    TimelineEntry,
)
from yingji.org.choices import PersonStatus, Scenario
from yingji.org.grades import Grade, ResponseLevel
from yingji.org.models import Person
from yingji.plans.models import PlanVersion


class IncidentSerializer(ModelSerializer):
    key_times = serializers.SerializerMethodField()
    durations = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "category",
            "status",
            "exercise",
            "confidential",
            "reporter",
            "department",
            "occurred_at",
            "location",
            "symptoms",
            "scope",
            "severity",
            "grade",
            "response_level",
            "affected_systems",
            "contact",
            "affected_users",
            "interruption_minutes",
            "affected_regions",
            "records_leaked",
            "loss_yuan",
            "reported_at",
            "escalate_by",
            "escalated_at",
            "escalated_late",
            "progress_due",
            "closed_at",
            "close_reason",
            "key_times",
            "durations",
        ]
        read_only_fields = fields

    def get_key_times(self, incident: Incident) -> dict[str, Any]:
        """occurred, discovered, reported, escalated, assessed, activated, end_recommended,
        ended, closed (null until it happens)."""
        local = MomentField()  # the API's one time format, as every other field
        return {
            name: local.to_representation(at) if at else None
            for name, at in incident.key_times().items()
        }

    def get_durations(self, incident: Incident) -> dict[str, int | None]:
        """Seconds: to_escalate, to_activate, response, occurred_to_ended."""
        return incident.durations()


class ReportSerializer(serializers.Serializer):
    """R-RESP-3: what a report says."""

    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Scenario.choices)
    occurred_at = MomentField()
    discovered_at = MomentField(required=False, allow_null=True, default=None)
    symptoms = serializers.CharField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    scope = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Grade.choices, required=False, allow_blank=True)
    affected_systems = serializers.CharField(required=False, allow_blank=True)
    contact = serializers.CharField(max_length=100, required=False, allow_blank=True)
    exercise = serializers.BooleanField(required=False, default=False)
    confidential = serializers.BooleanField(required=False, default=False)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


def active_person(**kwargs: Any) -> Any:
    """A person by id; only active people can take part."""
    return serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(status=PersonStatus.ACTIVE), **kwargs
    )


class DecisionSerializer(serializers.Serializer):
    """R-ACT-1: the emergency meeting and its decision."""

    decision = serializers.ChoiceField(choices=Decision.choices)
    meeting_at = MomentField()
    place = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    attendees = active_person(many=True, required=False, default=list)
    minutes = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    plans = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    plan_versions = serializers.PrimaryKeyRelatedField(
        queryset=PlanVersion.objects.all(),
        many=True,
        required=False,
        default=list,
        help_text="Approved plan versions to activate (their `id` in /api/v1/plans/); each "
        "step becomes a task, as on the page.",
    )
    response_level = serializers.ChoiceField(
        choices=ResponseLevel.choices, required=False, allow_blank=True, default=""
    )
    grade = serializers.ChoiceField(
        choices=Grade.choices, required=False, allow_blank=True, default=""
    )
    criteria_met = serializers.ListField(
        child=serializers.CharField(max_length=300), required=False, default=list, max_length=20
    )
    assemble_at = MomentField(required=False, allow_null=True, default=None)
    assemble_place = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    all_staff = serializers.BooleanField(required=False, default=False)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    precautions = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = [
            "id",
            "decision",
            "meeting_at",
            "place",
            "attendees",
            "minutes",
            "plans",
            "response_level",
            "criteria_met",
            "plan_versions",
            "assemble_at",
            "assemble_place",
            "decided_by",
            "decided_at",
        ]


class FactsSerializer(serializers.Serializer):
    affected_users = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    interruption_minutes = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    affected_regions = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    records_leaked = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    loss_yuan = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class RegradeSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    reason = serializers.CharField(max_length=500)


class HandlingPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandlingPlan
        fields = ["version", "analysis", "plan", "author", "at"]
        read_only_fields = ["version", "author", "at"]


class TaskSerializer(serializers.ModelSerializer):
    assignee = active_person(required=False, allow_null=True)
    checklist_items = serializers.ListField(
        child=serializers.CharField(max_length=300),
        write_only=True,
        required=False,
        max_length=50,
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "details",
            "assignee",
            "status",
            "due_at",
            "checklist",
            "checklist_items",
            "revision",
            "created_by",
            "created_at",
            "done_at",
        ]
        read_only_fields = [
            "status",
            "checklist",
            "revision",
            "created_by",
            "created_at",
            "done_at",
        ]


class TaskUpdateSerializer(serializers.Serializer):
    """Send the `revision` you read; a stale one is refused with 409 and changes nothing."""

    revision = serializers.IntegerField(min_value=0)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    checked = serializers.ListField(
        child=serializers.IntegerField(min_value=0), required=False, max_length=50
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ProgressSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = ["id", "author", "at", "done", "current", "next_step", "eta"]
        read_only_fields = ["id", "author", "at"]


class ParticipantSerializer(serializers.ModelSerializer):
    person = active_person()

    class Meta:
        model = Participant
        fields = ["person", "role", "added_at"]
        read_only_fields = ["added_at"]
        extra_kwargs = {"role": {"required": False}}
        validators: list[Any] = []  # uniqueness is the service's business (joining twice is fine)


class TaskOutcomeSerializer(serializers.Serializer):
    task = serializers.IntegerField(help_text="an open task of the incident")
    outcome = serializers.ChoiceField(choices=[(s, TaskStatus(s).label) for s in TASK_OUTCOMES])
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="required when cancelled or carried over",
    )


class EvaluationSerializer(serializers.ModelSerializer):
    tasks = TaskOutcomeSerializer(
        many=True,
        write_only=True,
        required=False,
        default=list,
        help_text="What becomes of each task still open (R-END-1): every one must be named.",
    )

    class Meta:
        model = Evaluation
        fields = [
            "performance_normal",
            "business_stable",
            "residual_risks",
            "trial_run_until",
            "tasks",
            "by",
            "at",
        ]
        read_only_fields = ["by", "at"]


class EndSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    all_staff = serializers.BooleanField(required=False, default=True)
    summary = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "at"]


class AttachmentUploadSerializer(serializers.Serializer):
    """multipart/form-data with one or more `files`."""

    files = serializers.ListField(child=serializers.FileField(), max_length=10)


class TimelineEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = ["at", "actor", "action", "from_status", "to_status", "text", "clause"]


class GradingRuleSerializer(serializers.ModelSerializer):
    """conditions: [[fact, operator, threshold], ...], all of which must hold."""

    conditions = serializers.JSONField()

    class Meta:
        model = GradingRule
        fields = ["id", "grade", "conditions", "note"]


class NoticeTemplateSerializer(serializers.Serializer):
    """Placeholders: {number} {title} {grade} {level} {summary} {precautions}."""

    kind = serializers.CharField(read_only=True)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=8000)
