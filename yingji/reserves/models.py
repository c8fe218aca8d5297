"""Emergency reserves (R-RES-1): classes of spares with their inspection cycle and minimum,
stores of labelled locations, items, the ledger every number is the sum of, and
inspections."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.files import StoredFile
from yingji.org.models import code_validator
from yingji.reserves.choices import (
    DispatchStatus,
    InspectionResult,
    ItemStatus,
    LocationKind,
    Movement,
)


class ReserveClass(models.Model):
    """A kind of spare: spare server, switch, UPS, generator fuel, satellite phone, ..."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    serialised = models.BooleanField(
        _("tracked one by one"),
        default=True,
        help_text=_("Serial numbers (servers, phones); off for counted stock (cables, fuel)."),
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    inspection_days = models.PositiveIntegerField(
        _("inspect every (days)"), default=90, validators=[MinValueValidator(1)]
    )
    checklist = models.JSONField(_("inspection checklist"), default=list, blank=True)
    min_ready = models.PositiveIntegerField(_("minimum ready"), default=0)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    custodian = models.ForeignKey(
        "org.Person", verbose_name=_("custodian"), on_delete=models.PROTECT, related_name="+"
    )
    # AB角: the backup acts when the custodian does not.
    backup = models.ForeignKey(
        "org.Person",
        verbose_name=_("backup custodian"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner = models.ForeignKey(
        "org.Department",
        verbose_name=_("owner department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A room, cabinet or shelf of a store, with a code printed on its label."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="locations")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=LocationKind.choices)

    class Meta:
        ordering = ["store", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Item(models.Model):
    """A serialised spare, or a lot of counted stock at one location. Its quantity is the sum
    of its ledger, kept here in the same transaction as each line."""

    reserve_class = models.ForeignKey(
        ReserveClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="items"
    )
    location = models.ForeignKey(
        Location,
        verbose_name=pgettext_lazy("reserve", "location"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    tag = models.CharField(_("asset tag"), max_length=40, unique=True, validators=[code_validator])
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    custodian = models.ForeignKey(
        "org.Person",
        verbose_name=_("custodian"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.AVAILABLE
    )
    on_hand = models.PositiveIntegerField(_("on hand"), default=0)
    out = models.PositiveIntegerField(_("out with incidents"), default=0)
    last_inspected = models.DateField(_("last inspected"), null=True, blank=True)
    inspection_due = models.DateField(_("inspection due"), null=True, blank=True, db_index=True)
    expires = models.DateField(_("expires"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reserve_class", "tag"]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_hand__gte=0) & Q(out__gte=0), name="reserves_stock_never_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tag} {self.reserve_class}"


class Ledger(models.Model):
    """One movement: who, when, how many, from where to where, for which incident."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="ledger")
    movement = models.CharField(_("movement"), max_length=10, choices=Movement.choices)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    from_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(  # empty: Yingji itself (the demo, an import)
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["item", "at", "pk"]
        indexes = [models.Index(fields=["incident", "item"])]

    def __str__(self) -> str:
        return f"{self.item.tag} {self.movement} {self.quantity}"


class Inspection(models.Model):
    """R-RES-1: an item checked against its class's checklist."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="inspections")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # [{"item": "开机自检", "ok": true, "note": ""}, ...] in the checklist's order
    results = models.JSONField(_("checklist results"), default=list)
    result = models.CharField(_("result"), max_length=8, choices=InspectionResult.choices)
    note = models.TextField(_("note"), blank=True)
    next_due = models.DateField(_("next inspection due"))

    class Meta:
        ordering = ["item", "-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.item.tag} {self.result} {self.at:%Y-%m-%d}"


class Dispatch(models.Model):
    """Spares drawn for an incident (R-ACT-2): requested by whoever takes part, issued on the
    custodian's or the office's confirmation, returned or consumed at the end."""

    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="dispatches")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    returned = models.PositiveIntegerField(_("returned"), default=0)
    consumed = models.PositiveIntegerField(_("consumed"), default=0)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DispatchStatus.choices,
        default=DispatchStatus.REQUESTED,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["incident", "requested_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.incident_id} {self.item.tag} ×{self.quantity}"

    @property
    def outstanding(self) -> int:
        """Issued and not yet returned or consumed."""
        if self.status != DispatchStatus.ISSUED:
            return 0
        return self.quantity - self.returned - self.consumed


class Requirement(models.Model):
    """R-PLAN-1's required resources as data: a plan version needs this many of a class.
    Written with the version while it is a draft, frozen with it once approved."""

    version = models.ForeignKey(
        "plans.PlanVersion", on_delete=models.CASCADE, related_name="reserve_requirements"
    )
    reserve_class = models.ForeignKey(
        ReserveClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["version", "reserve_class__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "reserve_class"], name="reserves_requirement_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reserve_class} ×{self.quantity}"


class Stocktake(models.Model):
    """A walk through one location (盘点): what should be there, what was seen."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stocktakes")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seen = models.ManyToManyField(Item, blank=True, related_name="+")
    # At the finish: the tags expected but not seen, and those seen but kept elsewhere.
    missing = models.JSONField(default=list, blank=True)
    misplaced = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.location.code} {self.started_at:%Y-%m-%d}"


class InspectionPhoto(StoredFile):
    """A picture taken at an inspection (a gauge, a fault), kept in the database with it."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")

    class Meta:
        ordering = ["inspection", "at", "pk"]
