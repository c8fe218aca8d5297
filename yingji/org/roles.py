"""Roles are derived from the organisation, never granted by hand: membership of the leadership
group makes a leader, heading a department makes a department head, and so on (R-ORG-1..3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from yingji.core.actors import is_system
from yingji.org.choices import GroupKind, PersonKind, PersonStatus

ROLE_LABELS = {
    "admin": _("System administrator"),
    "leadership": _("Leadership group member"),
    "office": _("Leadership group office"),
    "expert": _("Expert"),
    "executor": _("Executor"),
    "department_head": _("Department head"),
    "staff": _("Staff"),
    "vendor": _("Vendor"),
    "external_expert": _("External expert"),
}


@dataclass(frozen=True)
class Roles:
    person: Any = None
    admin: bool = False
    leadership: bool = False
    office: bool = False
    expert: bool = False
    executor: bool = False
    headed_department_ids: frozenset[int] = field(default_factory=frozenset)
    group_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def active_person(self) -> bool:
        return self.person is not None and self.person.status == PersonStatus.ACTIVE

    @property
    def staff(self) -> bool:
        return self.active_person and self.person.kind == PersonKind.EMPLOYEE

    @property
    def vendor(self) -> bool:
        return self.active_person and self.person.kind == PersonKind.VENDOR

    @property
    def external_expert(self) -> bool:
        return self.active_person and self.person.kind == PersonKind.EXTERNAL_EXPERT

    @property
    def department_head(self) -> bool:
        return bool(self.headed_department_ids)

    @property
    def group_scenarios(self) -> set[str]:
        """The scenarios of the active execution groups this person belongs to: what a vendor
        or external expert is there for (R-SCOPE-2)."""
        if self.person is None:
            return set()
        return set(
            self.person.memberships.filter(group__active=True, group__kind=GroupKind.EXECUTION)
            .exclude(group__scenario="")
            .values_list("group__scenario", flat=True)
        )

    @property
    def internal(self) -> bool:
        """Sees the whole directory: administrators and active employees."""
        return self.admin or self.staff

    @property
    def manages_org(self) -> bool:
        """Maintains the organisation: administrators and the leadership group office."""
        return self.admin or self.office

    def names(self) -> list[str]:
        flags = {
            "admin": self.admin,
            "leadership": self.leadership,
            "office": self.office,
            "expert": self.expert,
            "executor": self.executor,
            "department_head": self.department_head,
            "staff": self.staff,
            "vendor": self.vendor,
            "external_expert": self.external_expert,
        }
        return [name for name, on in flags.items() if on]

    def labels(self) -> list[str]:
        return [str(ROLE_LABELS[name]) for name in self.names()]


NO_ROLES = Roles()
SYSTEM_ROLES = Roles(admin=True)


def roles_of(user: Any) -> Roles:
    """The user's roles, computed once per request (cached on the user object)."""
    if is_system(user):
        return SYSTEM_ROLES  # the CLI and the engine act with the operator's authority
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_ROLES
    cached = getattr(user, "_yingji_roles", None)
    if cached is not None:
        return cached
    roles = _compute_roles(user)
    user._yingji_roles = roles
    return roles


def _compute_roles(user: Any) -> Roles:
    from yingji.org.models import Department, Membership, Person

    person = Person.objects.filter(user=user).first()
    if person is None or person.status != PersonStatus.ACTIVE:
        return Roles(person=person, admin=user.is_superuser)
    memberships = list(
        Membership.objects.filter(person=person, group__active=True).values_list(
            "group_id", "group__kind"
        )
    )
    kinds = {kind for _group_id, kind in memberships}
    headed = Department.objects.filter(active=True).filter(head=person) | Department.objects.filter(
        active=True, deputy=person
    )
    return Roles(
        person=person,
        admin=user.is_superuser,
        leadership=GroupKind.LEADERSHIP in kinds,
        office=GroupKind.OFFICE in kinds,
        expert=GroupKind.EXPERT in kinds,
        executor=GroupKind.EXECUTION in kinds,
        headed_department_ids=frozenset(headed.values_list("pk", flat=True)),
        group_ids=frozenset(group_id for group_id, _kind in memberships),
    )


def forget_roles(user: Any) -> None:
    """Drop the cached roles after a change that may alter them."""
    if hasattr(user, "_yingji_roles"):
        del user._yingji_roles
