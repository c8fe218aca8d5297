"""Item states, ledger movements and inspection results (R-RES-1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Reserved")
    ISSUED = "issued", _("Issued")
    REPAIR = "repair", _("Under repair")
    SCRAPPED = "scrapped", _("Scrapped")


class Movement(models.TextChoices):
    """What a ledger line does to the stock: on hand = received + returned − issued −
    scrapped; out with incidents = issued − returned − consumed."""

    RECEIVED = "received", _("Received")
    MOVED = "moved", _("Moved")
    ISSUED = "issued", _("Issued")
    RETURNED = "returned", _("Returned")
    CONSUMED = "consumed", _("Consumed")
    SCRAPPED = "scrapped", _("Scrapped")


ON_HAND = {Movement.RECEIVED: 1, Movement.RETURNED: 1, Movement.ISSUED: -1, Movement.SCRAPPED: -1}
OUT = {Movement.ISSUED: 1, Movement.RETURNED: -1, Movement.CONSUMED: -1}


class LocationKind(models.TextChoices):
    ROOM = "room", _("Room")
    SHELF = "shelf", _("Shelf")
    CABINET = "cabinet", _("Cabinet")
    AREA = "area", _("Area")


class InspectionResult(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class DispatchStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested, awaiting the custodian")
    ISSUED = "issued", _("Issued to the incident")
    BACK = "back", _("Returned or consumed")
    CANCELLED = "cancelled", _("Cancelled")


ROWS_OF_NEEDS = 3  # empty rows the plan page offers for more required reserves
