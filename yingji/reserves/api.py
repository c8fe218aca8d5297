"""/api/v1/reserves/: classes, stores, locations, items, the ledger, inspections and
readiness, with the pages' rules through the same services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
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
from yingji.org.models import Department, Person
from yingji.reserves import queries, services
from yingji.reserves.choices import LocationKind, Movement
from yingji.reserves.models import (
    Dispatch,
    Inspection,
    Item,
    Ledger,
    Location,
    ReserveClass,
    Store,
)
from yingji.reserves.transfer import (
    XLSX,
    import_inventory,
    inventory_workbook,
    ledger_workbook,
    survey_docx,
)
from yingji.reserves.views import shown_incidents


class ReserveClassSerializer(ModelSerializer):
    class Meta:
        model = ReserveClass
        fields = [
            "id",
            "code",
            "name",
            "serialised",
            "unit",
            "inspection_days",
            "checklist",
            "min_ready",
            "shelf_life_days",
            "active",
        ]


class ReserveStoreSerializer(ModelSerializer):
    class Meta:
        model = Store
        fields = ["id", "code", "name", "address", "custodian", "backup", "owner", "active"]
        read_only_fields = ["active"]


class ReserveStoreCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    custodian = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    backup = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True, default=None
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, default=None
    )


class ReserveLocationSerializer(ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "store", "parent", "code", "name", "kind"]


class ReserveLocationCreateSerializer(serializers.Serializer):
    store = serializers.PrimaryKeyRelatedField(queryset=Store.objects.all())
    parent: Any = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True, default=None
    )
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=LocationKind.choices)


class ReserveItemSerializer(ModelSerializer):
    ready = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = [
            "id",
            "reserve_class",
            "location",
            "tag",
            "model",
            "serial",
            "custodian",
            "status",
            "on_hand",
            "out",
            "last_inspected",
            "inspection_due",
            "expires",
            "ready",
            "created_at",
        ]
        read_only_fields = fields

    def get_ready(self, item: Item) -> bool:
        """Available, in stock, inspected on time and not expired."""
        return queries.is_ready(item, timezone.localdate())


class ReserveReceiveSerializer(serializers.Serializer):
    reserve_class = serializers.PrimaryKeyRelatedField(queryset=ReserveClass.objects.all())
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all())
    tag = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    model = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    serial = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    expires = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReserveLedgerSerializer(ModelSerializer):
    incident = serializers.SerializerMethodField()

    class Meta:
        model = Ledger
        fields = [
            "id",
            "item",
            "movement",
            "quantity",
            "from_location",
            "to_location",
            "incident",
            "by",
            "at",
            "note",
        ]
        read_only_fields = fields

    def get_incident(self, line: Ledger) -> int | None:
        """The incident it went to, when the reader may see it (confidential ones stay out)."""
        shown = self.context.get("shown_incidents", set())
        return line.incident_id if line.incident_id in shown else None


class ReserveMovementSerializer(serializers.Serializer):
    movement = serializers.ChoiceField(
        choices=[m for m in Movement.values if m != "received"] + ["received"]
    )
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    to_location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True, default=None
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReserveInspectionSerializer(ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["id", "item", "by", "at", "results", "result", "note", "next_due"]
        read_only_fields = fields


class ReserveCheckSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=100)
    ok = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReserveInspectSerializer(serializers.Serializer):
    results = ReserveCheckSerializer(many=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReserveReadinessSerializer(serializers.Serializer):
    reserve_class = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    ready = serializers.IntegerField()
    stock = serializers.IntegerField()
    minimum = serializers.IntegerField()
    met = serializers.BooleanField()


class ClassViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReserveClassSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[ReserveClass]:
        return queries.visible_classes(self.request.user).order_by("code")

    @extend_schema(request=ReserveClassSerializer, responses={201: ReserveClassSerializer})
    def create(self, request: Request) -> Response:
        made = services.class_save(actor=request.user, **validated(ReserveClassSerializer, request))
        return Response(ReserveClassSerializer(made).data, status=status.HTTP_201_CREATED)


class StoreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReserveStoreSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Store]:
        return queries.visible_stores(self.request.user).order_by("code")

    @extend_schema(request=ReserveStoreCreateSerializer, responses={201: ReserveStoreSerializer})
    def create(self, request: Request) -> Response:
        store = services.store_create(
            actor=request.user, **validated(ReserveStoreCreateSerializer, request)
        )
        return Response(ReserveStoreSerializer(store).data, status=status.HTTP_201_CREATED)


class LocationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReserveLocationSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Location]:
        return queries.visible_locations(self.request.user).order_by("code")

    @extend_schema(
        request=ReserveLocationCreateSerializer, responses={201: ReserveLocationSerializer}
    )
    def create(self, request: Request) -> Response:
        data = validated(ReserveLocationCreateSerializer, request)
        store = queries.get_store_for(request.user, data.pop("store").pk)
        location = services.location_create(actor=request.user, store=store, **data)
        return Response(ReserveLocationSerializer(location).data, status=status.HTTP_201_CREATED)


class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Items; receive one with POST, move stock with `…/ledger/`, inspect with `…/inspect/`."""

    serializer_class = ReserveItemSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Item]:
        return queries.visible_items(self.request.user).order_by("reserve_class__code", "tag")

    def get_object(self) -> Item:
        return queries.get_item_for(self.request.user, self.kwargs["pk"])

    @extend_schema(request=ReserveReceiveSerializer, responses={201: ReserveItemSerializer})
    def create(self, request: Request) -> Response:
        data = validated(ReserveReceiveSerializer, request)
        item = services.item_receive(actor=request.user, **data)
        return Response(ReserveItemSerializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReserveMovementSerializer, responses=ReserveLedgerSerializer)
    @action(detail=True, methods=["get", "post"])
    def ledger(self, request: Request, pk: Any = None) -> Response:
        """The item's ledger; POST adds a line (409 when the stock does not allow it)."""
        item = self.get_object()
        if request.method == "GET":
            lines = item.ledger.all()
            rows = lines.order_by("-at", "-pk")[:200]
            context = {"shown_incidents": shown_incidents(request.user, lines)}
            return Response(ReserveLedgerSerializer(rows, many=True, context=context).data)
        line = services.movement_post(
            actor=request.user, item=item, **validated(ReserveMovementSerializer, request)
        )
        return Response(ReserveLedgerSerializer(line).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReserveInspectSerializer, responses={201: ReserveInspectionSerializer})
    @action(detail=True, methods=["post"])
    def inspect(self, request: Request, pk: Any = None) -> Response:
        """Every check of the class's checklist, each ok or not."""
        inspection = services.inspection_record(
            actor=request.user,
            item=self.get_object(),
            **validated(ReserveInspectSerializer, request),
        )
        return Response(
            ReserveInspectionSerializer(inspection).data, status=status.HTTP_201_CREATED
        )


class ReserveImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)


class ReserveFilesViewSet(viewsets.GenericViewSet):
    """The inventory and ledger as .xlsx, the resource survey as .docx, and the inventory
    imported from a workbook (dry run by default; every row or none)."""

    serializer_class = ReserveImportSerializer

    def _sight(self, request: Request) -> None:
        if not queries.sees_reserves(request.user):
            raise AccessDenied(_("Only people inside the organisation see the reserves."))

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def inventory(self, request: Request) -> HttpResponse:
        self._sight(request)
        return file_response(
            "inventory.xlsx", XLSX, inventory_workbook(queries.visible_items(request.user))
        )

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def ledger(self, request: Request) -> HttpResponse:
        self._sight(request)
        lines = Ledger.objects.filter(item__in=queries.visible_items(request.user).values("pk"))
        return file_response(
            "ledger.xlsx", XLSX, ledger_workbook(lines, shown_incidents(request.user, lines))
        )

    @extend_schema(responses={(200, DOCX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def survey(self, request: Request) -> HttpResponse:
        self._sight(request)
        return file_response("resource-survey.docx", DOCX, survey_docx(timezone.localdate()))

    @extend_schema(
        request={"multipart/form-data": ReserveImportSerializer}, responses=OpenApiTypes.OBJECT
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[MultiPartParser])
    def import_(self, request: Request) -> Response:
        self._sight(request)
        data = validated(ReserveImportSerializer, request)
        result = import_inventory(
            actor=request.user, content=data["file"].read(), dry_run=data["dry_run"]
        )
        body = {
            "dry_run": result.dry_run,
            "created": result.created,
            "errors": [vars(e) for e in result.errors],
            "committed": result.committed,
        }
        return Response(body, status=400 if result.errors else 200)


class ReservePhotosSerializer(serializers.Serializer):
    photos = serializers.ListField(child=serializers.FileField(), max_length=10)


class InspectionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ReserveInspectionSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Inspection]:
        items = queries.visible_items(self.request.user).values("pk")
        return Inspection.objects.filter(item__in=items).order_by("-at", "-pk")

    @extend_schema(
        request={"multipart/form-data": ReservePhotosSerializer},
        responses=ReserveInspectionSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def photos(self, request: Request, pk: Any = None) -> Response:
        """Pictures of an inspection (multipart field `photos`)."""
        inspection = one_of(self.get_queryset().select_related("item__location__store"), pk)
        uploads = validated(ReservePhotosSerializer, request)["photos"]
        services.inspection_photos_add(
            actor=request.user,
            inspection=inspection,
            photos=[(f.name or "photo", f.read()) for f in uploads],
        )
        return Response(ReserveInspectionSerializer(inspection).data)


class ReadinessView(APIView):
    """Per class: ready, in stock, the minimum and whether it is met (R-RES-1)."""

    @extend_schema(responses=ReserveReadinessSerializer(many=True))
    def get(self, request: Request) -> Response:
        if not queries.sees_reserves(request.user):
            return Response([], status=200)
        rows = queries.readiness(timezone.localdate())
        return Response(
            [
                {
                    "reserve_class": r["reserve_class"].pk,
                    "code": r["reserve_class"].code,
                    "name": r["reserve_class"].name,
                    "ready": r["ready"],
                    "stock": r["stock"],
                    "minimum": r["minimum"],
                    "met": r["met"],
                }
                for r in rows
            ]
        )


class ReserveDispatchSerializer(ModelSerializer):
    outstanding = serializers.IntegerField(read_only=True)

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "incident",
            "item",
            "quantity",
            "returned",
            "consumed",
            "outstanding",
            "status",
            "note",
            "requested_by",
            "requested_at",
            "issued_by",
            "issued_at",
        ]
        read_only_fields = fields


class ReserveDispatchRequestSerializer(serializers.Serializer):
    incident = serializers.IntegerField(min_value=1)
    reserve_class = serializers.PrimaryKeyRelatedField(
        queryset=ReserveClass.objects.all(), required=False, allow_null=True, default=None
    )
    tag = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ReserveDispatchBackSerializer(serializers.Serializer):
    returned = serializers.IntegerField(min_value=0, default=0)
    consumed = serializers.IntegerField(min_value=0, default=0)


class DispatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Spares drawn for incidents the caller may see (R-ACT-2)."""

    serializer_class = ReserveDispatchSerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self) -> QuerySet[Dispatch]:
        from yingji.incidents.queries import visible_incidents

        incidents = visible_incidents(self.request.user).values("pk")
        return Dispatch.objects.filter(incident__in=incidents).order_by("-requested_at", "-pk")

    def get_object(self) -> Dispatch:
        return one_of(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(
        request=ReserveDispatchRequestSerializer, responses={201: ReserveDispatchSerializer}
    )
    def create(self, request: Request) -> Response:
        """Draw a spare: `tag` (a scanned item) or `reserve_class` (the first ready one)."""
        from yingji.incidents.queries import get_incident_for

        data = validated(ReserveDispatchRequestSerializer, request)
        incident = get_incident_for(request.user, data.pop("incident"))
        tag = data.pop("tag")
        item = None
        if tag:
            item = queries.visible_items(request.user).filter(tag=tag).first()
            if item is None:
                raise serializers.ValidationError({"tag": "No spare has this tag."})
        dispatch = services.dispatch_request(
            actor=request.user, incident=incident, item=item, **data
        )
        return Response(ReserveDispatchSerializer(dispatch).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReserveDispatchSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: Any = None) -> Response:
        dispatch = services.dispatch_issue(actor=request.user, dispatch=self.get_object())
        return Response(ReserveDispatchSerializer(dispatch).data)

    @extend_schema(request=ReserveDispatchBackSerializer, responses=ReserveDispatchSerializer)
    @action(detail=True, methods=["post"])
    def back(self, request: Request, pk: Any = None) -> Response:
        dispatch = services.dispatch_back(
            actor=request.user,
            dispatch=self.get_object(),
            **validated(ReserveDispatchBackSerializer, request),
        )
        return Response(ReserveDispatchSerializer(dispatch).data)

    @extend_schema(request=None, responses=ReserveDispatchSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        dispatch = services.dispatch_cancel(actor=request.user, dispatch=self.get_object())
        return Response(ReserveDispatchSerializer(dispatch).data)


class ReserveNeedSerializer(serializers.Serializer):
    reserve_class = serializers.PrimaryKeyRelatedField(queryset=ReserveClass.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class ReserveNeedsSerializer(serializers.Serializer):
    needs = ReserveNeedSerializer(many=True)


class ReserveNeedReadinessSerializer(serializers.Serializer):
    reserve_class = serializers.IntegerField()
    needed = serializers.IntegerField()
    ready = serializers.IntegerField()
    met = serializers.BooleanField()


class RequirementsView(APIView):
    """A plan version's required reserves with their readiness; PUT replaces them while the
    version is a draft (R-PLAN-1)."""

    def _version(self, request: Request, pk: int) -> Any:
        from yingji.plans.models import PlanVersion
        from yingji.plans.queries import get_plan_for, visible_versions

        version = one_of(PlanVersion.objects.all(), pk)
        plan = get_plan_for(request.user, version.plan_id)
        return one_of(visible_versions(request.user, plan), version.pk)

    def _answer(self, version: Any) -> Response:
        rows = services.plan_readiness([version], timezone.localdate())
        return Response(
            [
                {
                    "reserve_class": r["reserve_class"].pk,
                    "needed": r["needed"],
                    "ready": r["ready"],
                    "met": r["met"],
                }
                for r in rows
            ]
        )

    @extend_schema(responses=ReserveNeedReadinessSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(self._version(request, pk))

    @extend_schema(
        request=ReserveNeedsSerializer, responses=ReserveNeedReadinessSerializer(many=True)
    )
    def put(self, request: Request, pk: int) -> Response:
        version = self._version(request, pk)
        needs = validated(ReserveNeedsSerializer, request)["needs"]
        services.requirements_set(
            actor=request.user,
            version=version,
            needs=[(n["reserve_class"], n["quantity"]) for n in needs],
        )
        return self._answer(version)
