"""The inventory and the ledger as .xlsx workbooks; the inventory imported into the stores
the way the organisation import works (a dry run first, then every row or none, each
refused row named with its column and the reason); the resource survey (应急资源调查) as a
Word document."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from yingji.core.actors import Actor
from yingji.core.errors import DomainError
from yingji.core.word import WordDocument
from yingji.core.workbooks import ImportResult, rows_applied, sheet_rows, workbook_bytes
from yingji.reserves import queries, services
from yingji.reserves.models import Item, Ledger, Location, ReserveClass

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
INVENTORY = (
    ("store", gettext_lazy("store")),
    ("location", pgettext_lazy("reserve", "location")),
    ("tag", gettext_lazy("asset tag")),
    ("class", gettext_lazy("class")),
    ("model", gettext_lazy("model")),
    ("serial", gettext_lazy("serial number")),
    ("quantity", gettext_lazy("quantity")),
    ("expires", gettext_lazy("expires")),
    ("status", gettext_lazy("status")),
    ("out", gettext_lazy("out with incidents")),
    ("last_inspected", gettext_lazy("last inspected")),
    ("inspection_due", gettext_lazy("inspection due")),
)
IMPORTED = {"location", "tag", "class", "model", "serial", "quantity", "expires"}


def inventory_workbook(items: QuerySet[Item]) -> bytes:
    rows = items.select_related("reserve_class", "location__store").order_by(
        "location__store__code", "location__code", "tag"
    )
    lines = (
        [
            i.location.store.code,
            i.location.code,
            i.tag,
            i.reserve_class.code,
            i.model,
            i.serial,
            i.on_hand,
            i.expires,
            i.get_status_display(),
            i.out,
            i.last_inspected,
            i.inspection_due,
        ]
        for i in rows.iterator(chunk_size=500)
    )
    header = [str(text) for _key, text in INVENTORY]
    return workbook_bytes([(_("Inventory"), [header, *lines])])


def ledger_workbook(lines: QuerySet[Ledger], shown_incidents: set[int]) -> bytes:
    """The ledger; an incident the reader may not see is left out (confidential ones)."""
    rows = lines.select_related(
        "item__reserve_class", "from_location", "to_location", "by__person"
    ).order_by("at", "pk")
    header = [
        _("when"),
        _("asset tag"),
        _("class"),
        _("movement"),
        _("quantity"),
        _("from"),
        _("to"),
        _("incident"),
        _("by"),
        _("note"),
    ]
    body = (
        [
            timezone.localtime(x.at).strftime("%Y-%m-%d %H:%M"),
            x.item.tag,
            x.item.reserve_class.code,
            x.get_movement_display(),
            x.quantity,
            x.from_location.code if x.from_location else "",
            x.to_location.code if x.to_location else "",
            x.incident_id if x.incident_id in shown_incidents else "",
            _person(x.by),
            x.note,
        ]
        for x in rows.iterator(chunk_size=500)
    )
    return workbook_bytes([(_("Ledger"), [header, *body])])


def _person(user: Any) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.full_name if person is not None else user.get_username()


def import_inventory(*, actor: Actor, content: bytes, dry_run: bool) -> ImportResult:
    """Each row receives a new spare or lot into its location; nothing is kept unless every
    row is right and this is not a dry run."""
    columns = [(key, label) for key, label in INVENTORY if key in IMPORTED]
    rows = sheet_rows(
        content,
        columns,
        required={"location", "tag", "class"},
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
    )
    result = ImportResult(dry_run=dry_run)

    def receive(row: dict[str, str]) -> None:
        _receive(actor, row)
        result.created += 1

    with transaction.atomic():
        result.errors = rows_applied(rows, receive)
        if dry_run or result.errors:
            transaction.set_rollback(True)
    return result


def _receive(actor: Actor, row: dict[str, str]) -> None:
    reserve_class = ReserveClass.objects.filter(code=row.get("class", "")).first() or (
        ReserveClass.objects.filter(name=row.get("class", "")).first()
    )
    if reserve_class is None:
        raise DomainError(_("Unknown class: %(c)s") % {"c": row.get("class", "")}, field="class")
    location = Location.objects.select_related("store").filter(code=row.get("location", "")).first()
    if location is None:
        raise DomainError(
            _("Unknown location: %(c)s") % {"c": row.get("location", "")}, field="location"
        )
    tag = row.get("tag", "")  # a tag already in a store is refused by the item's own check
    quantity = row.get("quantity") or "1"
    if not quantity.isdigit() or int(quantity) < 1:
        raise DomainError(_("The quantity is a whole number of at least 1."), field="quantity")
    expires = None
    if row.get("expires"):
        try:
            expires = date.fromisoformat(row["expires"])
        except ValueError:
            raise DomainError(_("Give the date as YYYY-MM-DD."), field="expires") from None
    services.item_receive(
        actor=actor,
        reserve_class=reserve_class,
        location=location,
        tag=tag,
        quantity=int(quantity),
        model=row.get("model", ""),
        serial=row.get("serial", ""),
        expires=expires,
        note=_("imported"),
    )


# ---------------------------------------------------------------- the resource survey


def survey_docx(today: date) -> bytes:
    """应急资源调查 (GB/T 29639 calls for it beside each plan): what is held, where, who keeps
    it, whether it is ready, and what the plans need that is short."""
    from yingji.reserves.models import Requirement, Store

    document = WordDocument(
        title=_("Emergency resource survey"),
        number=f"ZY-{today:%Y%m%d}",
        subject=_("Emergency reserves"),
    )
    document.heading(_("Emergency resource survey"), level=0)
    document.facts([(_("Date"), today.isoformat())])
    document.contents()
    document.heading("1 " + _("Readiness by class"), level=1)
    document.table(
        [_("class"), _("ready"), _("in stock"), _("minimum ready"), ""],
        [
            (
                r["reserve_class"].name,
                r["ready"],
                r["stock"],
                r["minimum"],
                _("ready") if r["met"] else _("short"),
            )
            for r in queries.readiness(today)
        ],
    )
    document.heading("2 " + _("Stores"), level=1)
    for store in Store.objects.select_related("custodian", "backup", "owner").order_by("code"):
        document.heading(f"{store.code} {store.name}", level=2)
        document.facts(
            [
                (_("address"), store.address),
                (_("custodian"), store.custodian.full_name),
                (_("backup custodian"), store.backup.full_name if store.backup else ""),
                (_("owner department"), store.owner.name if store.owner else ""),
            ]
        )
        items = (
            Item.objects.filter(location__store=store)
            .exclude(status="scrapped")
            .select_related("reserve_class", "location")
            .order_by("location__code", "tag")
        )
        document.table(
            [
                pgettext("reserve", "location"),
                _("asset tag"),
                _("class"),
                _("model"),
                _("on hand"),
                _("status"),
                _("inspection due"),
            ],
            [
                (
                    i.location.code,
                    i.tag,
                    i.reserve_class.name,
                    i.model,
                    str(i.on_hand),
                    i.get_status_display(),
                    i.inspection_due.isoformat() if i.inspection_due else "",
                )
                for i in items
            ],
        )
    document.heading("3 " + _("What the plans need"), level=1)
    versions = Requirement.objects.filter(version__status="approved").values("version")
    from yingji.plans.models import PlanVersion

    rows = services.plan_readiness(PlanVersion.objects.filter(pk__in=versions), today)
    document.table(
        [_("plan"), _("class"), _("needed"), _("ready"), ""],
        [
            (
                f"{r['plan'].code} {r['plan'].title}",
                r["reserve_class"].name,
                r["needed"],
                r["ready"],
                _("ready") if r["met"] else _("short"),
            )
            for r in rows
        ],
    )
    return document.content()
