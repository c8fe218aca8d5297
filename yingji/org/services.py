"""Every change to the organisation goes through these functions (STYLE.md convention 2):
they check access, validate, save with update_fields and write the audit event in one
transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record, audited_create, audited_update, full_clean, snapshot
from yingji.core.actors import Actor
from yingji.core.errors import AccessDenied, DomainError
from yingji.org.choices import GroupKind, MemberRole, PersonKind, PersonStatus
from yingji.org.models import Department, EmergencyGroup, Membership, Person, Vendor
from yingji.org.queries import person_editable_fields, require_org_manager

User = get_user_model()

DEPARTMENT_FIELDS = ("code", "name", "kind", "parent", "head", "deputy", "sort_order", "active")
PERSON_FIELDS = (
    "full_name",
    "employee_no",
    "kind",
    "department",
    "vendor",
    "title",
    "mobile",
    "email",
    "dingtalk_id",
    "wecom_id",
    "feishu_id",
    "language",
)
GROUP_FIELDS = ("code", "name", "kind", "scenario", "duties", "assembly_point", "active")
MEMBERSHIP_FIELDS = ("role", "specialty", "note")
VENDOR_FIELDS = (
    "name",
    "short_name",
    "service_scope",
    "contact_name",
    "contact_phone",
    "contact_email",
    "hotline",
    "contract_no",
    "contract_start",
    "contract_end",
    "sla_response_minutes",
    "sla_end",
    "active",
)


# ---------------------------------------------------------------- shared mechanics


GROUP_CLAUSES = {
    GroupKind.LEADERSHIP: "R-ORG-1",
    GroupKind.OFFICE: "R-ACT-2",
    GroupKind.EXPERT: "R-ORG-2",
    GroupKind.EXECUTION: "R-ORG-3",
}


def _clause(instance: Any, changed: list[str] | tuple[str, ...] = ()) -> str:
    """The regulation clause an organisation change serves, for the audit trail."""
    if isinstance(instance, Department):
        # The report line of R-RESP-1/2 runs through a department's head and deputy.
        return "R-RESP-2" if {"head", "deputy"} & set(changed) else "R-SCOPE-1"
    if isinstance(instance, Person):
        return "R-SCOPE-2" if instance.kind == PersonKind.VENDOR else "R-SCOPE-1"
    if isinstance(instance, Vendor):
        return "R-SCOPE-2"
    if isinstance(instance, Membership):
        instance = instance.group
    return GROUP_CLAUSES.get(instance.kind, "")


def _check_fields(changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise DomainError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def _update(
    *, actor: Actor, instance: Any, changes: dict[str, Any], action: str, reason: str = ""
) -> list[str]:
    return audited_update(
        actor=actor,
        instance=instance,
        changes=changes,
        action=action,
        reason=reason,
        regulation=lambda changed: _clause(instance, changed),
        exclude=["user"] if isinstance(instance, Person) else [],
    )


def _probe(instance: Any, fields: tuple[str, ...], changes: dict[str, Any]) -> Any:
    """An unsaved copy with the changes applied, for cross-field rules before anything is set."""
    values = {name: getattr(instance, name) for name in fields}
    return type(instance)(pk=instance.pk, **{**values, **changes})


def _create(*, actor: Actor, instance: Any, fields: tuple[str, ...], action: str) -> Any:
    return audited_create(
        actor=actor,
        instance=instance,
        fields=fields,
        action=action,
        regulation=_clause(instance, fields),
    )


# ---------------------------------------------------------------- departments


def _validate_department(department: Department) -> None:
    ancestor, seen = department.parent, set()
    while ancestor is not None and department.pk is not None:
        if ancestor.pk == department.pk or ancestor.pk in seen:
            raise DomainError(
                _("A department cannot sit below itself or below one of its own sub-departments."),
                field="parent",
            )
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    for field in ("head", "deputy"):
        person = getattr(department, field)
        if person is not None and (not person.is_active or person.kind != PersonKind.EMPLOYEE):
            raise DomainError(
                _("%(name)s is not an active employee and cannot lead a department.")
                % {"name": person.full_name},
                field=field,
            )
    if department.head_id and department.head_id == department.deputy_id:
        raise DomainError(_("The deputy must be someone other than the head."), field="deputy")


@transaction.atomic
def department_create(*, actor: Actor, **fields: Any) -> Department:
    require_org_manager(actor)
    _check_fields(fields, DEPARTMENT_FIELDS)
    department = Department(**fields)
    _validate_department(department)
    return _create(
        actor=actor, instance=department, fields=DEPARTMENT_FIELDS, action="org.department.create"
    )


@transaction.atomic
def department_update(
    *, actor: Actor, department: Department, changes: dict[str, Any], reason: str = ""
) -> Department:
    require_org_manager(actor)
    _check_fields(changes, DEPARTMENT_FIELDS)
    _validate_department(_probe(department, DEPARTMENT_FIELDS, changes))
    _update(
        actor=actor,
        instance=department,
        changes=changes,
        action="org.department.update",
        reason=reason,
    )
    return department


# ---------------------------------------------------------------- people


def _validate_person(person: Person) -> None:
    if person.kind == PersonKind.EMPLOYEE:
        if person.department_id is None:
            raise DomainError(_("An employee must belong to a department."), field="department")
        if person.vendor_id is not None:
            raise DomainError(_("An employee cannot belong to a vendor."), field="vendor")
    if person.kind == PersonKind.VENDOR and person.vendor_id is None:
        raise DomainError(_("Vendor staff must name their vendor."), field="vendor")


def _username_for(employee_no: str, username: str | None) -> str:
    name = (username or employee_no or "").strip().lower()
    if not name:
        raise DomainError(_("A username is required."), field="username")
    if User.objects.filter(username__iexact=name).exists():
        raise DomainError(
            _("The username %(name)s is already taken.") % {"name": name}, field="username"
        )
    return name


@transaction.atomic
def person_create(
    *, actor: Actor, username: str | None = None, password: str | None = None, **fields: Any
) -> Person:
    require_org_manager(actor)
    _check_fields(fields, PERSON_FIELDS)
    person = Person(**fields)
    _validate_person(person)
    full_clean(person, exclude=["user"])
    user = User(username=_username_for(person.employee_no, username), email=person.email)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field="password") from None
        user.set_password(password)
    else:
        user.set_unusable_password()  # people sign in once an administrator sets a password
    user.save()
    person.user = user
    person.save(force_insert=True)  # validated above, before the account was made
    audit_record(
        actor=actor,
        action="org.person.create",
        obj=person,
        after=snapshot(person, PERSON_FIELDS),
        regulation=_clause(person),
    )
    return person


@transaction.atomic
def person_update(
    *, actor: Actor, person: Person, changes: dict[str, Any], reason: str = ""
) -> Person:
    _check_fields(changes, PERSON_FIELDS)
    allowed = person_editable_fields(actor, person)  # everything ("*") for a system actor
    forbidden = set() if "*" in allowed else set(changes) - allowed
    if forbidden:
        raise AccessDenied(
            _("You may not change: %(fields)s") % {"fields": ", ".join(sorted(forbidden))}
        )
    _validate_person(_probe(person, PERSON_FIELDS, changes))
    changed = _update(
        actor=actor, instance=person, changes=changes, action="org.person.update", reason=reason
    )
    if "email" in changed:
        person.user.email = person.email
        person.user.save(update_fields=["email"])
    return person


@transaction.atomic
def person_set_status(*, actor: Actor, person: Person, status: str, reason: str = "") -> Person:
    """A person who leaves can no longer sign in and is taken out of every emergency group, so
    nobody pages them in an emergency; a department they still lead must get a new head first."""
    require_org_manager(actor)
    if status not in PersonStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    if status == PersonStatus.LEFT:
        led = Department.objects.filter(models.Q(head=person) | models.Q(deputy=person))
        if led.exists():
            raise DomainError(
                _("%(name)s still leads %(departments)s; appoint someone else first.")
                % {"name": person.full_name, "departments": ", ".join(d.name for d in led)}
            )
        for membership in person.memberships.select_related("group"):
            membership_remove(actor=actor, membership=membership, reason=reason)
    before = person.status
    if before == status:
        return person
    person.status = status
    person.save(update_fields=["status", "updated_at"])
    person.user.is_active = status == PersonStatus.ACTIVE
    person.user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="org.person.status",
        obj=person,
        before={"status": before},
        after={"status": status},
        reason=reason,
        regulation=_clause(person),
    )
    return person


# ---------------------------------------------------------------- groups and memberships


def _validate_group(group: EmergencyGroup) -> None:
    if group.kind == GroupKind.EXECUTION and not group.scenario:
        raise DomainError(
            _("An execution group is formed for a scenario; choose one."), field="scenario"
        )
    if group.kind != GroupKind.EXECUTION:
        group.scenario = ""


@transaction.atomic
def group_create(*, actor: Actor, **fields: Any) -> EmergencyGroup:
    require_org_manager(actor)
    _check_fields(fields, GROUP_FIELDS)
    group = EmergencyGroup(**fields)
    _validate_group(group)
    return _create(actor=actor, instance=group, fields=GROUP_FIELDS, action="org.group.create")


@transaction.atomic
def group_update(
    *, actor: Actor, group: EmergencyGroup, changes: dict[str, Any], reason: str = ""
) -> EmergencyGroup:
    require_org_manager(actor)
    _check_fields(changes, GROUP_FIELDS)
    if "kind" in changes and changes["kind"] != group.kind and group.memberships.exists():
        raise DomainError(_("A group with members cannot change its kind."), field="kind")
    probe = _probe(group, GROUP_FIELDS, changes)
    _validate_group(probe)
    changes = {**changes, "scenario": probe.scenario} if "kind" in changes else changes
    _update(actor=actor, instance=group, changes=changes, action="org.group.update", reason=reason)
    return group


def _validate_membership(membership: Membership) -> None:
    person, group = membership.person, membership.group
    if not person.is_active:
        raise DomainError(
            _("%(name)s has left and cannot join a group.") % {"name": person.full_name},
            field="person",
        )
    if (
        group.kind in (GroupKind.LEADERSHIP, GroupKind.OFFICE)
        and person.kind != PersonKind.EMPLOYEE
    ):
        raise DomainError(
            _("Only employees can join the leadership group or its office."), field="person"
        )
    if person.kind == PersonKind.VENDOR and group.kind == GroupKind.EXPERT:
        raise DomainError(
            _("Vendor staff support execution groups; retained experts join as external experts."),
            field="person",
        )


@transaction.atomic
def membership_add(
    *,
    actor: Actor,
    group: EmergencyGroup,
    person: Person,
    role: str = MemberRole.MEMBER,
    specialty: str = "",
    note: str = "",
) -> Membership:
    require_org_manager(actor)
    if Membership.objects.filter(group=group, person=person).exists():
        raise DomainError(
            _("%(name)s is already a member of %(group)s.")
            % {"name": person.full_name, "group": group.name},
            field="person",
        )
    membership = Membership(group=group, person=person, role=role, specialty=specialty, note=note)
    _validate_membership(membership)
    full_clean(membership)
    membership.save(force_insert=True)
    audit_record(
        actor=actor,
        action="org.membership.add",
        obj=membership,
        after=snapshot(membership, ("group", "person", "role", "specialty")),
        regulation=_clause(membership),
    )
    return membership


@transaction.atomic
def membership_update(
    *, actor: Actor, membership: Membership, changes: dict[str, Any], reason: str = ""
) -> Membership:
    require_org_manager(actor)
    _check_fields(changes, MEMBERSHIP_FIELDS)
    _update(
        actor=actor,
        instance=membership,
        changes=changes,
        action="org.membership.update",
        reason=reason,
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, membership: Membership, reason: str = "") -> None:
    require_org_manager(actor)
    audit_record(
        actor=actor,
        action="org.membership.remove",
        obj=membership,
        before=snapshot(membership, ("group", "person", "role", "specialty")),
        reason=reason,
        regulation=_clause(membership),
    )
    membership.delete()


# ---------------------------------------------------------------- vendors


def _validate_vendor(vendor: Vendor) -> None:
    if (
        vendor.contract_start
        and vendor.contract_end
        and vendor.contract_end < vendor.contract_start
    ):
        raise DomainError(_("The contract cannot end before it starts."), field="contract_end")


@transaction.atomic
def vendor_create(*, actor: Actor, **fields: Any) -> Vendor:
    require_org_manager(actor)
    _check_fields(fields, VENDOR_FIELDS)
    vendor = Vendor(**fields)
    _validate_vendor(vendor)
    return _create(actor=actor, instance=vendor, fields=VENDOR_FIELDS, action="org.vendor.create")


@transaction.atomic
def vendor_update(
    *, actor: Actor, vendor: Vendor, changes: dict[str, Any], reason: str = ""
) -> Vendor:
    require_org_manager(actor)
    _check_fields(changes, VENDOR_FIELDS)
    _validate_vendor(_probe(vendor, VENDOR_FIELDS, changes))
    _update(
        actor=actor, instance=vendor, changes=changes, action="org.vendor.update", reason=reason
    )
    return vendor
