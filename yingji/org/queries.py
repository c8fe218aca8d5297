"""One access path per object type (STYLE.md convention 7). Views, API, exports and imports all
read through these, so a rule changes in one place.

Who sees what:
- administrators and active employees see the whole organisation (people report to their
  department head and need the directory, R-RESP-1);
- vendor staff and external experts (R-SCOPE-2) see themselves, their own company's staff, and
  the groups they are assigned to with those groups' members;
- a user without an active person record sees nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Case, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from yingji.core.access import one_of
from yingji.core.errors import AccessDenied
from yingji.org.choices import GroupKind, MemberRole, PersonStatus
from yingji.org.models import Department, EmergencyGroup, Membership, Person, Vendor
from yingji.org.roles import roles_of

# Fields a person may change on their own record: keeping contact data current is everyone's job.
SELF_EDITABLE_FIELDS = frozenset(
    {"mobile", "email", "title", "dingtalk_id", "wecom_id", "feishu_id", "language"}
)
HEAD_EDITABLE_FIELDS = SELF_EDITABLE_FIELDS | {"full_name"}


def visible_departments(user: Any) -> QuerySet[Department]:
    roles = roles_of(user)
    if roles.internal:
        return Department.objects.all()
    return Department.objects.none()


def visible_people(user: Any) -> QuerySet[Person]:
    roles = roles_of(user)
    if roles.internal:
        return Person.objects.all()
    if not roles.active_person:
        return Person.objects.none()
    me = roles.person
    scope = Q(pk=me.pk) | Q(memberships__group_id__in=roles.group_ids)
    if me.vendor_id:
        scope |= Q(vendor_id=me.vendor_id)
    return Person.objects.filter(pk__in=Person.objects.filter(scope).values("pk"))


def visible_groups(user: Any) -> QuerySet[EmergencyGroup]:
    roles = roles_of(user)
    if roles.internal:
        return EmergencyGroup.objects.all()
    return EmergencyGroup.objects.filter(pk__in=roles.group_ids)


def visible_memberships(user: Any) -> QuerySet[Membership]:
    return in_rank_order(Membership.objects.filter(group__in=visible_groups(user)))


def in_rank_order(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Leader (组长) first, then deputies (副组长), then members."""
    rank = Case(
        When(role=MemberRole.LEADER, then=Value(0)),
        When(role=MemberRole.DEPUTY_LEADER, then=Value(1)),
        default=Value(2),
    )
    return memberships.annotate(role_rank=rank).order_by(
        "group_id", "role_rank", "person__employee_no"
    )


def visible_vendors(user: Any) -> QuerySet[Vendor]:
    roles = roles_of(user)
    if roles.internal:
        return Vendor.objects.all()
    if roles.vendor:
        return Vendor.objects.filter(pk=roles.person.vendor_id)
    return Vendor.objects.none()


def can_manage_org(user: Any) -> bool:
    return roles_of(user).manages_org


def require_org_manager(user: Any) -> None:
    """Administrators and the leadership group office maintain the organisation and its
    channels; the CLI and the engine (system actors) act with the same authority."""
    if not can_manage_org(user):
        raise AccessDenied(_("Only administrators and the leadership group office may do this."))


def get_department_for(user: Any, pk: Any, *, write: bool = False) -> Department:
    department = one_of(visible_departments(user), pk)
    if write:
        require_org_manager(user)
    return department


def get_group_for(user: Any, pk: Any, *, write: bool = False) -> EmergencyGroup:
    group = one_of(visible_groups(user), pk)
    if write:
        require_org_manager(user)
    return group


def get_vendor_for(user: Any, pk: Any, *, write: bool = False) -> Vendor:
    vendor = one_of(visible_vendors(user), pk)
    if write:
        require_org_manager(user)
    return vendor


def get_person_for(user: Any, pk: Any, *, write: bool = False) -> Person:
    person = one_of(visible_people(user), pk)
    if write and not person_editable_fields(user, person):
        raise AccessDenied(_("You may not edit this person."))
    return person


def person_editable_fields(user: Any, person: Person) -> frozenset[str]:
    """Which fields of ``person`` the user may change; empty means read-only."""
    roles = roles_of(user)
    if roles.manages_org:
        return frozenset({"*"})
    if person.department_id and person.department_id in head_scope(user):
        return HEAD_EDITABLE_FIELDS
    if roles.person is not None and roles.person.pk == person.pk and roles.active_person:
        return SELF_EDITABLE_FIELDS
    return frozenset()


def head_scope(user: Any) -> set[int]:
    """Departments a head (or deputy) answers for: their own and every department below them."""
    roles = roles_of(user)
    if not roles.headed_department_ids:
        return set()
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    scope, stack = set(), list(roles.headed_department_ids)
    while stack:
        current = stack.pop()
        if current not in scope:
            scope.add(current)
            stack.extend(children.get(current, []))
    return scope


def department_tree(departments: Sequence[Department]) -> list[tuple[Department, int]]:
    """Departments in tree order with their depth, for indented lists and the org chart."""
    by_parent: dict[int | None, list[Department]] = {}
    ids = {d.pk for d in departments}
    for dept in departments:
        parent = dept.parent_id if dept.parent_id in ids else None
        by_parent.setdefault(parent, []).append(dept)
    ordered: list[tuple[Department, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for dept in by_parent.get(parent, []):
            ordered.append((dept, depth))
            walk(dept.pk, depth + 1)

    walk(None, 0)
    return ordered


def org_gaps() -> dict[str, Any]:
    """Gaps in the emergency organisation that the office should close (home page)."""
    from datetime import timedelta

    from django.utils import timezone

    from yingji.org.choices import GroupKind, PersonStatus, Scenario

    today = timezone.localdate()
    soon = today + timedelta(days=60)
    covered = set(
        EmergencyGroup.objects.filter(kind=GroupKind.EXECUTION, active=True).values_list(
            "scenario", flat=True
        )
    )
    present_kinds = set(EmergencyGroup.objects.filter(active=True).values_list("kind", flat=True))
    return {
        "departments_without_head": Department.objects.filter(active=True, head__isnull=True),
        "departments_without_deputy": Department.objects.filter(
            active=True, head__isnull=False, deputy__isnull=True
        ),
        "missing_group_kinds": [
            kind.label
            for kind in (GroupKind.LEADERSHIP, GroupKind.OFFICE, GroupKind.EXPERT)
            if kind not in present_kinds
        ],
        "uncovered_scenarios": [
            s.label for s in Scenario if s != Scenario.OTHER and s not in covered
        ],
        "groups_without_leader": EmergencyGroup.objects.filter(active=True).exclude(
            memberships__role="leader"
        ),
        "vendors_expiring": Vendor.objects.filter(active=True, contract_end__lte=soon),
        "people_unreachable": Person.objects.filter(status=PersonStatus.ACTIVE, mobile="").count(),
    }


def group_members(kind: str, scenario: str | None = None) -> QuerySet[Person]:
    """The active people in active groups of this kind (and scenario)."""
    members = Person.objects.filter(
        status=PersonStatus.ACTIVE,
        memberships__group__kind=kind,
        memberships__group__active=True,
    )
    if scenario is not None:
        members = members.filter(memberships__group__scenario=scenario)
    return members.distinct()


def group_leader(kind: str, scenario: str = "") -> Person | None:
    """The group's leader (组长), else its deputy leader; an execution group's by scenario."""
    memberships = Membership.objects.filter(
        group__kind=kind,
        group__active=True,
        person__status=PersonStatus.ACTIVE,
        role__in=[MemberRole.LEADER, MemberRole.DEPUTY_LEADER],
    ).select_related("person")
    if kind == GroupKind.EXECUTION:
        memberships = memberships.filter(group__scenario=scenario)
    first = in_rank_order(memberships).first()
    return first.person if first else None


def names_of_users(user_ids: Iterable[int]) -> dict[int, str]:
    """People's names by their user ids, in one query (the audit trail shows names)."""
    rows = Person.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "full_name")
    return {user_id: name for user_id, name in rows if user_id is not None}
