"""/api/v1 for the organisation. Reads go through queries.py, writes through services.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound

from yingji.org import services
from yingji.org.models import Department, EmergencyGroup, Membership, Person, Vendor
from yingji.org.queries import (
    get_department_for,
    get_group_for,
    get_person_for,
    get_vendor_for,
    visible_departments,
    visible_groups,
    visible_memberships,
    visible_people,
    visible_vendors,
)


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", *services.DEPARTMENT_FIELDS]


class PersonSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", required=False, max_length=150)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "username", "status", *services.PERSON_FIELDS]


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmergencyGroup
        fields = ["id", *services.GROUP_FIELDS]


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "group", "person", *services.MEMBERSHIP_FIELDS]
        validators: list[Any] = []  # uniqueness is the service's rule, with a clearer message


class VendorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ["id", *services.VENDOR_FIELDS]
        validators: list[Any] = []


def _is_write(request: Any) -> bool:
    return request.method not in ("GET", "HEAD", "OPTIONS")


class _OrgViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List/retrieve/create/update through the access path and services named below; no
    delete: people leave and groups are deactivated."""

    visible: Callable[[Any], QuerySet]
    get_for: Callable[..., Any]
    create_service: Callable[..., Any]
    update_service: Callable[..., Any]
    instance_argument: str  # the service's keyword for the object being updated
    search_fields: tuple[str, ...] = ()
    lookup_value_regex = "[0-9]+"  # anything else is a 404 before a view runs

    def filter_by_search(self, queryset: QuerySet) -> QuerySet:
        term = self.request.query_params.get("q", "").strip()[:100]
        if not term or not self.search_fields:
            return queryset
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{f"{name}__icontains": term})
        return queryset.filter(condition)

    def get_queryset(self) -> QuerySet:
        return self.filter_by_search(type(self).visible(self.request.user)).order_by("pk")

    def get_object(self) -> Any:
        return type(self).get_for(
            self.request.user, self.kwargs["pk"], write=_is_write(self.request)
        )

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = type(self).create_service(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: Any) -> None:
        type(self).update_service(
            actor=self.request.user,
            changes=serializer.validated_data,
            **{self.instance_argument: serializer.instance},
        )


class DepartmentViewSet(_OrgViewSet):
    serializer_class = DepartmentSerializer
    search_fields = ("code", "name")
    visible = staticmethod(visible_departments)
    get_for = staticmethod(get_department_for)
    create_service = staticmethod(services.department_create)
    update_service = staticmethod(services.department_update)
    instance_argument = "department"


class PersonViewSet(_OrgViewSet):
    serializer_class = PersonSerializer
    search_fields = ("full_name", "employee_no", "mobile")
    visible = staticmethod(visible_people)
    get_for = staticmethod(get_person_for)
    update_service = staticmethod(services.person_update)
    instance_argument = "person"

    def get_queryset(self) -> QuerySet:
        people = super().get_queryset().select_related("user")
        department = self.request.query_params.get("department", "")
        if department.isdigit():
            people = people.filter(department_id=int(department))
        return people

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        username = data.pop("user", {}).get("username")
        serializer.instance = services.person_create(
            actor=self.request.user, username=username, **data
        )

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data.pop("user", None)  # the username is fixed once the account exists
        services.person_update(actor=self.request.user, person=serializer.instance, changes=data)


class GroupViewSet(_OrgViewSet):
    serializer_class = GroupSerializer
    search_fields = ("code", "name")
    visible = staticmethod(visible_groups)
    get_for = staticmethod(get_group_for)
    create_service = staticmethod(services.group_create)
    update_service = staticmethod(services.group_update)
    instance_argument = "group"


class VendorViewSet(_OrgViewSet):
    serializer_class = VendorSerializer
    search_fields = ("name", "short_name")
    visible = staticmethod(visible_vendors)
    get_for = staticmethod(get_vendor_for)
    create_service = staticmethod(services.vendor_create)
    update_service = staticmethod(services.vendor_update)
    instance_argument = "vendor"


class MembershipViewSet(_OrgViewSet, mixins.DestroyModelMixin):
    serializer_class = MembershipSerializer
    visible = staticmethod(visible_memberships)

    def get_queryset(self) -> QuerySet:
        memberships = super().get_queryset()
        group = self.request.query_params.get("group", "")
        if group.isdigit():
            memberships = memberships.filter(group_id=int(group))
        return memberships

    def get_object(self) -> Membership:
        membership = self.get_queryset().filter(pk=int(self.kwargs["pk"])).first()
        if membership is None:
            raise NotFound()
        return membership

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        group = get_group_for(self.request.user, data.pop("group").pk, write=True)
        person = get_person_for(self.request.user, data.pop("person").pk)
        serializer.instance = services.membership_add(
            actor=self.request.user, group=group, person=person, **data
        )

    def perform_update(self, serializer: Any) -> None:
        changes = {
            k: v for k, v in serializer.validated_data.items() if k in services.MEMBERSHIP_FIELDS
        }
        services.membership_update(
            actor=self.request.user, membership=serializer.instance, changes=changes
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(actor=self.request.user, membership=instance)
