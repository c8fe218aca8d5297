"""The emergency organisation of the regulation: departments, people, groups, vendors (R-ORG-*)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.org.choices import (
    DepartmentKind,
    GroupKind,
    Language,
    MemberRole,
    PersonKind,
    PersonStatus,
    Scenario,
    Specialty,
)

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$",
    _("Use 1-32 letters, digits, dots, dashes or underscores, starting with a letter or digit."),
)
phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 -]{4,22}[0-9]$",
    _("Enter a phone number of digits, optionally with +, spaces or dashes."),
)


class Department(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=16, choices=DepartmentKind.choices, default=DepartmentKind.BUSINESS
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    head = models.ForeignKey(
        "Person",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    # AB角: the deputy acts when the head is away (R-RESP-2 must not wait for one person).
    deputy = models.ForeignKey(
        "Person",
        verbose_name=_("deputy head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputised_departments",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Vendor(models.Model):
    """An external technology service provider (R-SCOPE-2)."""

    name = models.CharField(_("company name"), max_length=150, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    service_scope = models.TextField(_("service scope"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=32, blank=True, validators=[phone_validator]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    hotline = models.CharField(
        _("24-hour hotline"), max_length=32, blank=True, validators=[phone_validator]
    )
    contract_no = models.CharField(_("contract number"), max_length=64, blank=True)
    contract_start = models.DateField(_("contract start"), null=True, blank=True)
    contract_end = models.DateField(_("contract end"), null=True, blank=True)
    sla_response_minutes = models.PositiveIntegerField(
        _("SLA response time (minutes)"), null=True, blank=True
    )
    sla_end = models.DateField(_("SLA valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")

    def __str__(self) -> str:
        return self.short_name or self.name


class Person(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="person"
    )
    full_name = models.CharField(_("name"), max_length=100)
    employee_no = models.CharField(
        _("employee number"), max_length=32, unique=True, validators=[code_validator]
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=PersonKind.choices, default=PersonKind.EMPLOYEE
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    vendor = models.ForeignKey(
        Vendor,
        verbose_name=_("vendor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    dingtalk_id = models.CharField(_("DingTalk user ID"), max_length=64, blank=True)
    wecom_id = models.CharField(_("WeCom user ID"), max_length=64, blank=True)
    feishu_id = models.CharField(_("Feishu user ID"), max_length=64, blank=True)
    # Notices reach each person in their language; empty means the organisation's default.
    language = models.CharField(
        _("language for notices"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: the organisation's default language."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["employee_no"]
        indexes = [models.Index(fields=["department", "status"])]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.status == PersonStatus.ACTIVE


class EmergencyGroup(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    scenario = models.CharField(
        _("scenario"),
        max_length=32,
        choices=Scenario.choices,
        blank=True,
        help_text=_("Execution groups are formed per scenario."),
    )
    duties = models.TextField(_("duties"), blank=True)
    # R-ACT-2: members are told to assemble at a designated place.
    assembly_point = models.CharField(_("assembly point"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=["leadership", "office", "expert"]),
                name="org_one_group_of_each_single_kind",
            )
        ]
        verbose_name = _("emergency group")
        verbose_name_plural = _("emergency groups")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    group = models.ForeignKey(
        EmergencyGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    specialty = models.CharField(
        _("specialty"), max_length=16, choices=Specialty.choices, blank=True, default=""
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["group", "role", "person__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="org_membership_once"),
            models.UniqueConstraint(
                fields=["group"], condition=Q(role="leader"), name="org_one_leader_per_group"
            ),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.group} · {self.person}"
