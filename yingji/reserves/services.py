"""Emergency reserves' rules (R-RES-1): the ledger is the only way stock changes, each line
committed with the item's numbers, its audit event and its notices; inspections per class
cycle mark an item ready or not; readiness is counted from what is ready."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.audit.services import audit_record, audited_create, audited_update
from yingji.core.actors import Actor, person_user, user_of
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.files import IMAGE_TYPES, checked_files
from yingji.notify.services import notify
from yingji.org.choices import PersonStatus
from yingji.org.models import Department, Person
from yingji.reserves import queries
from yingji.reserves.choices import (
    ON_HAND,
    OUT,
    DispatchStatus,
    InspectionResult,
    ItemStatus,
    LocationKind,
    Movement,
)
from yingji.reserves.models import (
    Dispatch,
    Inspection,
    Item,
    Ledger,
    Location,
    ReserveClass,
    Store,
)

MAX_CHECKLIST = 30
REMIND_AHEAD = timedelta(days=7)
BACKUP_AFTER = timedelta(days=3)  # the backup custodian is told when the custodian has not acted


def _require_manager(actor: Actor) -> None:
    if not queries.manages_all(actor):
        raise AccessDenied(_("Only the office or an administrator may set up reserves."))


def _require_keeper(actor: Actor, store: Store) -> None:
    if not queries.keeps(actor, store):
        raise AccessDenied(_("Only the store's custodians or the office may do this."))


# ---------------------------------------------------------------- set-up


@transaction.atomic
def class_save(
    *, actor: Actor, reserve_class: ReserveClass | None = None, **fields: Any
) -> ReserveClass:
    """A class of spares with its inspection cycle, checklist, minimum ready and shelf life."""
    _require_manager(actor)
    allowed = {
        "code",
        "name",
        "serialised",
        "unit",
        "inspection_days",
        "checklist",
        "min_ready",
        "shelf_life_days",
        "active",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if "checklist" in fields:
        fields["checklist"] = _checklist(fields["checklist"])
    if reserve_class is None:
        created = ReserveClass(**fields)
        return audited_create(
            actor=actor,
            instance=created,
            action="reserve.class.create",
            fields=sorted(fields),
            regulation="R-RES-1",
        )
    audited_update(
        actor=actor,
        instance=reserve_class,
        changes=fields,
        action="reserve.class.update",
        regulation="R-RES-1",
    )
    return reserve_class


def _checklist(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list):
        raise DomainError(_("List the checks, one a line."), field="checklist")
    items = [str(v).strip()[:100] for v in value if str(v).strip()]
    if len(items) > MAX_CHECKLIST or len(set(items)) != len(items):
        raise DomainError(_("Up to 30 different checks."), field="checklist")
    return items


@transaction.atomic
def store_create(
    *,
    actor: Actor,
    code: str,
    name: str,
    custodian: Person,
    backup: Person | None = None,
    owner: Department | None = None,
    address: str = "",
) -> Store:
    _require_manager(actor)
    _active(custodian, "custodian")
    if backup is not None:
        _active(backup, "backup")
        if backup.pk == custodian.pk:
            raise DomainError(_("The backup is someone other than the custodian."), field="backup")
    store = Store(
        code=code.strip(),
        name=name.strip(),
        custodian=custodian,
        backup=backup,
        owner=owner,
        address=address.strip(),
    )
    return audited_create(
        actor=actor,
        instance=store,
        action="reserve.store.create",
        fields=["code", "name", "custodian", "backup", "owner"],
        regulation="R-RES-1",
    )


def _active(person: Person, field: str) -> None:
    if person.status != PersonStatus.ACTIVE:
        raise DomainError(_("Choose an active person."), field=field)


@transaction.atomic
def location_create(
    *,
    actor: Actor,
    store: Store,
    code: str,
    name: str,
    kind: str,
    parent: Location | None = None,
) -> Location:
    _require_keeper(actor, store)
    if kind not in LocationKind.values:
        raise DomainError(_("Choose one of the listed values."), field="kind")
    if parent is not None and parent.store_id != store.pk:
        raise DomainError(_("The parent is in another store."), field="parent")
    location = Location(store=store, code=code.strip(), name=name.strip(), kind=kind, parent=parent)
    return audited_create(
        actor=actor,
        instance=location,
        action="reserve.location.create",
        fields=["store", "code", "name", "kind", "parent"],
        regulation="R-RES-1",
    )


# ---------------------------------------------------------------- the ledger


@transaction.atomic
def item_receive(
    *,
    actor: Actor,
    reserve_class: ReserveClass,
    location: Location,
    tag: str,
    quantity: int = 1,
    model: str = "",
    serial: str = "",
    expires: date | None = None,
    note: str = "",
) -> Item:
    """入库: a new item (or lot) enters a store, checked on arrival, so its first inspection is
    one cycle away."""
    _require_keeper(actor, location.store)
    if reserve_class.serialised and quantity != 1:
        raise DomainError(_("A serialised spare is received one at a time."), field="quantity")
    today = timezone.localdate()
    if expires is None and reserve_class.shelf_life_days:
        expires = today + timedelta(days=reserve_class.shelf_life_days)
    item = Item(
        reserve_class=reserve_class,
        location=location,
        tag=tag.strip(),
        model=model.strip(),
        serial=serial.strip(),
        custodian=location.store.custodian,
        expires=expires,
        last_inspected=today,
        inspection_due=today + timedelta(days=reserve_class.inspection_days),
    )
    audited_create(
        actor=actor,
        instance=item,
        action="reserve.item.create",
        fields=["tag", "reserve_class", "location", "serial"],
        regulation="R-RES-1",
    )
    _post(actor, item, Movement.RECEIVED, quantity, to_location=location, note=note)
    return item


@transaction.atomic
def movement_post(
    *,
    actor: Actor,
    item: Item,
    movement: str,
    quantity: int = 1,
    to_location: Location | None = None,
    incident: Any = None,
    note: str = "",
) -> Ledger:
    """One ledger line: more stock received, moved, issued, returned, consumed or scrapped.
    The item is locked first, so two people drawing the last one cannot both have it."""
    locked = (
        Item.objects.select_for_update(of=("self",))
        .select_related("reserve_class", "location__store")
        .get(pk=item.pk)
    )
    _require_keeper(actor, locked.location.store)
    line = _post(
        actor, locked, movement, quantity, to_location=to_location, incident=incident, note=note
    )
    item.refresh_from_db()
    return line


def _post(
    actor: Actor,
    item: Item,
    movement: str,
    quantity: int,
    *,
    to_location: Location | None = None,
    incident: Any = None,
    note: str = "",
) -> Ledger:
    if movement not in Movement.values:
        raise DomainError(_("Choose one of the listed values."), field="movement")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise DomainError(_("The quantity is a whole number of at least 1."), field="quantity")
    _check(item, movement, quantity, to_location)
    item.on_hand += ON_HAND.get(Movement(movement), 0) * quantity
    item.out += OUT.get(Movement(movement), 0) * quantity
    from_location = item.location
    changed = ["on_hand", "out"]
    if movement == Movement.MOVED:
        assert to_location is not None
        item.location = to_location
        changed.append("location")
    status = _status_after(item, movement)
    if status != item.status:
        item.status = status
        changed.append("status")
    item.save(update_fields=changed)
    line = Ledger.objects.create(
        item=item,
        movement=movement,
        quantity=quantity,
        from_location=from_location,
        to_location=to_location or (item.location if movement == Movement.RECEIVED else None),
        incident=incident,
        by=user_of(actor),
        note=note.strip()[:300],
    )
    audit_record(  # on the line, so a confidential incident's lines hide (queries.py)
        actor=actor,
        action=f"reserve.ledger.{movement}",
        obj=line,
        regulation="R-RES-1",
        after={
            "quantity": quantity,
            "on_hand": item.on_hand,
            "out": item.out,
            "incident": incident.pk if incident is not None else None,
        },
    )
    return line


def _check(item: Item, movement: str, quantity: int, to_location: Location | None) -> None:
    if item.status == ItemStatus.SCRAPPED:
        raise DomainError(_("The item is scrapped."), code="conflict")
    if movement == Movement.RECEIVED and item.reserve_class.serialised and item.ledger.exists():
        raise DomainError(_("A serialised spare is received once."), field="movement")
    if movement in (Movement.ISSUED, Movement.SCRAPPED) and quantity > item.on_hand:
        raise DomainError(
            _("Only %(n)d in stock; %(q)d asked for.") % {"n": item.on_hand, "q": quantity},
            field="quantity",
            code="conflict",
        )
    if movement in (Movement.RETURNED, Movement.CONSUMED) and quantity > item.out:
        raise DomainError(
            _("Only %(n)d are out with incidents; %(q)d cannot come back or be used up.")
            % {"n": item.out, "q": quantity},
            field="quantity",
            code="conflict",
        )
    if movement == Movement.ISSUED and item.status == ItemStatus.REPAIR:
        raise DomainError(_("The item is under repair and not ready to issue."), code="conflict")
    if movement == Movement.MOVED:
        if to_location is None or to_location.pk == item.location_id:
            raise DomainError(_("Choose the new location."), field="to_location")
        if item.out:
            raise DomainError(_("Move it once it is back."), code="conflict")


def _status_after(item: Item, movement: str) -> str:
    if movement == Movement.SCRAPPED and item.on_hand == 0 and item.out == 0:
        return ItemStatus.SCRAPPED
    if item.reserve_class.serialised:
        if movement == Movement.ISSUED:
            return ItemStatus.ISSUED
        if movement == Movement.RETURNED:
            return ItemStatus.AVAILABLE
    if item.status == ItemStatus.ISSUED and item.on_hand and not item.out:
        return ItemStatus.AVAILABLE
    return item.status


# ---------------------------------------------------------------- inspections


@transaction.atomic
def inspection_record(
    *,
    actor: Actor,
    item: Item,
    results: Iterable[dict[str, Any]],
    note: str = "",
    photos: Iterable[tuple[str, bytes]] = (),
) -> Inspection:
    """R-RES-1: every check of the class's checklist answered; a failed one makes the item
    not ready (under repair) and tells the store's owner and custodians."""
    locked = (
        Item.objects.select_for_update(of=("self",))
        .select_related(
            "reserve_class",
            "location__store__owner__head",
            "location__store__custodian",
            "location__store__backup",
        )
        .get(pk=item.pk)
    )
    store = locked.location.store
    _require_keeper(actor, store)
    answers = _answers(locked.reserve_class.checklist, list(results))
    pictures = _pictures(photos)  # all checked before anything is saved
    passed = all(a["ok"] for a in answers)
    today = timezone.localdate()
    inspection = Inspection.objects.create(
        item=locked,
        by=person_user(actor),
        results=answers,
        note=note.strip(),
        result=InspectionResult.PASS if passed else InspectionResult.FAIL,
        next_due=today + timedelta(days=locked.reserve_class.inspection_days),
    )
    _keep_photos(inspection, pictures)
    changes: dict[str, Any] = {"last_inspected": today, "inspection_due": inspection.next_due}
    if not passed and locked.status == ItemStatus.AVAILABLE:
        changes["status"] = ItemStatus.REPAIR
    audited_update(
        actor=actor,
        instance=locked,
        changes=changes,
        action="reserve.item.inspect",
        regulation="R-RES-1",
        validate=False,
    )
    if not passed:
        failed = [a["item"] for a in answers if not a["ok"]]
        notify(
            event="reserve.inspection_failed",
            context={"item": str(locked), "store": store.name, "checks": "、".join(failed)},
            recipients=[
                p
                for p in (store.owner.head if store.owner else None, store.custodian, store.backup)
                if p is not None
            ],
            link=f"/reserves/items/{locked.pk}/",
        )
    item.refresh_from_db()
    return inspection


def _pictures(photos: Iterable[tuple[str, bytes]]) -> list[tuple[str, str, bytes]]:
    checked = checked_files(photos)
    for name, kind, _data in checked:
        if kind not in IMAGE_TYPES:
            raise DomainError(_("%(name)s is not a picture.") % {"name": name}, field="photos")
    return checked


def _keep_photos(inspection: Inspection, pictures: list[tuple[str, str, bytes]]) -> None:
    from yingji.reserves.models import InspectionPhoto

    InspectionPhoto.objects.bulk_create(
        InspectionPhoto(
            inspection=inspection, name=name, content_type=kind, size=len(data), data=data
        )
        for name, kind, data in pictures
    )


@transaction.atomic
def inspection_photos_add(
    *, actor: Actor, inspection: Inspection, photos: Iterable[tuple[str, bytes]]
) -> int:
    """Pictures sent after the inspection (the API takes them apart from the results)."""
    _require_keeper(actor, inspection.item.location.store)
    pictures = _pictures(photos)
    if not pictures:
        raise DomainError(_("Choose a picture."), field="photos")
    _keep_photos(inspection, pictures)
    audit_record(
        actor=actor,
        action="reserve.inspection.photos",
        obj=inspection,
        after={"photos": [name for name, _k, _d in pictures]},
        regulation="R-RES-1",
    )
    return len(pictures)


def _answers(checklist: list[str], results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    given: dict[str, dict[str, Any]] = {}
    for row in results:
        if not isinstance(row, dict) or not isinstance(row.get("item"), str):
            raise DomainError(
                _("Each result names its check and whether it is ok."), field="results"
            )
        given[row["item"].strip()] = row
    missing = [check for check in checklist if check not in given]
    if missing:
        raise DomainError(
            _("No result for: %(checks)s") % {"checks": "、".join(missing)}, field="results"
        )
    unknown = sorted(set(given) - set(checklist))
    if unknown:
        raise DomainError(
            _("Not on the checklist: %(checks)s") % {"checks": "、".join(unknown)}, field="results"
        )
    return [
        {
            "item": check,
            "ok": given[check].get("ok") is True,
            "note": str(given[check].get("note") or "").strip()[:300],
        }
        for check in checklist
    ]


@transaction.atomic
def repair_done(*, actor: Actor, item: Item, note: str) -> Item:
    """Back from repair: available again once it passes an inspection."""
    _require_keeper(actor, item.location.store)
    if item.status != ItemStatus.REPAIR:
        raise DomainError(_("The item is not under repair."), code="conflict")
    audited_update(
        actor=actor,
        instance=item,
        changes={"status": ItemStatus.AVAILABLE},
        action="reserve.item.repaired",
        reason=note,
        regulation="R-RES-1",
        validate=False,
    )
    return item


def remind_inspections(today: date, batch: int = 200) -> int:
    """Inspections due within a week remind the custodian; three days late, the backup too.
    Each reminder has its own key, so the hourly pass sends it once."""
    from yingji.notify.models import Message

    rows = (
        Item.objects.exclude(status=ItemStatus.SCRAPPED)
        .filter(inspection_due__lte=today + REMIND_AHEAD)
        .select_related(
            "reserve_class", "location__store__custodian", "location__store__backup", "custodian"
        )
        .order_by("inspection_due", "pk")[:batch]
    )
    sent = 0
    for item in rows:
        assert item.inspection_due is not None
        store = item.location.store
        late = item.inspection_due + BACKUP_AFTER <= today
        stage = "late" if late else "due"
        key = f"reserve:{item.pk}:inspection:{item.inspection_due.isoformat()}:{stage}"
        if Message.objects.filter(key=key).exists():
            continue
        people = [item.custodian or store.custodian, *([store.backup] if late else [])]
        with transaction.atomic():
            notify(
                event=f"reserve.inspection_{stage}",
                context={
                    "item": str(item),
                    "store": store.name,
                    "due": item.inspection_due.isoformat(),
                },
                recipients=[p for p in people if p is not None],
                link=f"/reserves/items/{item.pk}/",
                key=key,
            )
        sent += 1
    return sent


# ---------------------------------------------------------------- dispatch to an incident


def can_request(actor: Actor, incident: Any) -> bool:
    """Whoever takes part in an open incident, and the office (R-ACT-2)."""
    from yingji.incidents.access import can_take_part, is_open

    return is_open(incident) and (queries.manages_all(actor) or can_take_part(actor, incident))


@transaction.atomic
def dispatch_request(
    *,
    actor: Actor,
    incident: Any,
    item: Item | None = None,
    reserve_class: ReserveClass | None = None,
    quantity: int = 1,
    note: str = "",
) -> Dispatch:
    """Draw a spare for an incident: a given item (scanned), or the first ready one of a
    class. A custodian or the office issues it at once; anyone else's request waits for
    their confirmation, and they are told."""
    if not can_request(actor, incident):
        raise AccessDenied(_("Only those taking part in the open incident may draw reserves."))
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise DomainError(_("The quantity is a whole number of at least 1."), field="quantity")
    chosen = item or _first_ready(reserve_class, quantity)
    if chosen.reserve_class.serialised and quantity != 1:
        raise DomainError(_("A serialised spare is drawn one at a time."), field="quantity")
    if not queries.is_ready(chosen, timezone.localdate()):
        raise DomainError(
            _("%(item)s is not ready to issue.") % {"item": chosen}, field="item", code="conflict"
        )
    dispatch = Dispatch.objects.create(
        incident=incident,
        item=chosen,
        quantity=quantity,
        note=note.strip()[:300],
        requested_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="reserve.dispatch.request",
        obj=dispatch,
        regulation="R-ACT-2",
        after={"incident": incident.pk, "item": chosen.tag, "quantity": quantity},
    )
    store = chosen.location.store
    if queries.keeps(actor, store):
        return _issue(actor, dispatch)
    notify(
        event="reserve.dispatch_requested",
        context={
            "item": str(chosen),
            "quantity": quantity,
            "incident": incident.pk,
            "title": incident.title,
        },
        recipients=[p for p in (store.custodian, store.backup) if p is not None],
        link=f"/incidents/{incident.pk}/#reserves",
    )
    return dispatch


def _first_ready(reserve_class: ReserveClass | None, quantity: int) -> Item:
    if reserve_class is None:
        raise DomainError(_("Choose a class or scan an item."), field="reserve_class")
    found = (
        queries.ready_items(timezone.localdate())
        .filter(reserve_class=reserve_class, on_hand__gte=quantity)
        .select_related("reserve_class", "location__store")
        .order_by("inspection_due", "tag")
        .first()
    )
    if found is None:
        raise DomainError(
            _("No ready %(cls)s with %(q)d in stock.") % {"cls": reserve_class, "q": quantity},
            field="reserve_class",
            code="conflict",
        )
    return found


@transaction.atomic
def dispatch_issue(*, actor: Actor, dispatch: Dispatch) -> Dispatch:
    """The custodian (or the office) confirms and hands it over: the ledger's issue line."""
    dispatch = Dispatch.objects.select_for_update(of=("self",)).get(pk=dispatch.pk)
    if dispatch.status != DispatchStatus.REQUESTED:
        raise DomainError(_("This request is no longer waiting."), code="conflict")
    return _issue(actor, dispatch)


def _issue(actor: Actor, dispatch: Dispatch) -> Dispatch:
    movement_post(
        actor=actor,
        item=dispatch.item,
        movement=Movement.ISSUED,
        quantity=dispatch.quantity,
        incident=dispatch.incident,
        note=dispatch.note,
    )
    dispatch.status = DispatchStatus.ISSUED
    dispatch.issued_by = user_of(actor)
    dispatch.issued_at = timezone.now()
    dispatch.save(update_fields=["status", "issued_by", "issued_at"])
    audit_record(actor=actor, action="reserve.dispatch.issue", obj=dispatch, regulation="R-ACT-2")
    return dispatch


@transaction.atomic
def dispatch_back(
    *, actor: Actor, dispatch: Dispatch, returned: int = 0, consumed: int = 0
) -> Dispatch:
    """At the end: what came back to the store and what was used up."""
    dispatch = (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("item__location__store")
        .get(pk=dispatch.pk)
    )
    if dispatch.status != DispatchStatus.ISSUED:
        raise DomainError(_("Nothing of this is out."), code="conflict")
    for value, field in ((returned, "returned"), (consumed, "consumed")):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DomainError(_("A whole number, 0 or more."), field=field)
    if returned + consumed < 1 or returned + consumed > dispatch.outstanding:
        raise DomainError(
            _("%(n)d are still out; return or use up between 1 and %(n)d.")
            % {"n": dispatch.outstanding},
            field="returned",
        )
    for movement, quantity in ((Movement.RETURNED, returned), (Movement.CONSUMED, consumed)):
        if quantity:
            movement_post(
                actor=actor,
                item=dispatch.item,
                movement=movement,
                quantity=quantity,
                incident=dispatch.incident,
            )
    dispatch.returned += returned
    dispatch.consumed += consumed
    if dispatch.returned + dispatch.consumed == dispatch.quantity:
        dispatch.status = DispatchStatus.BACK
    dispatch.save(update_fields=["returned", "consumed", "status"])
    audit_record(
        actor=actor,
        action="reserve.dispatch.back",
        obj=dispatch,
        regulation="R-ACT-2",
        after={"returned": returned, "consumed": consumed},
    )
    return dispatch


@transaction.atomic
def dispatch_cancel(*, actor: Actor, dispatch: Dispatch) -> Dispatch:
    dispatch = (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("item__location__store")
        .get(pk=dispatch.pk)
    )
    mine = dispatch.requested_by_id is not None and dispatch.requested_by_id == getattr(
        actor, "pk", None
    )
    if not (mine or queries.keeps(actor, dispatch.item.location.store)):
        raise AccessDenied(_("Only who asked, the custodians or the office may cancel it."))
    if dispatch.status != DispatchStatus.REQUESTED:
        raise DomainError(_("This request is no longer waiting."), code="conflict")
    dispatch.status = DispatchStatus.CANCELLED
    dispatch.save(update_fields=["status"])
    audit_record(actor=actor, action="reserve.dispatch.cancel", obj=dispatch, regulation="R-ACT-2")
    return dispatch


# ---------------------------------------------------------------- plans' required resources


def can_set_requirements(actor: Actor, version: Any) -> bool:
    from yingji.plans.choices import EDITABLE, Author
    from yingji.plans.services import can_act_as

    return version.status in EDITABLE and can_act_as(actor, Author.EDITOR, version.plan)


@transaction.atomic
def requirements_set(
    *, actor: Actor, version: Any, needs: Iterable[tuple[ReserveClass, int]]
) -> None:
    """R-PLAN-1: the reserves a plan version needs, replaced as a whole while it is a draft;
    an approved version's stay as they were approved."""
    from yingji.reserves.models import Requirement

    if not can_set_requirements(actor, version):
        raise AccessDenied(_("Only the plan's authors change a draft's required reserves."))
    wanted: dict[int, tuple[ReserveClass, int]] = {}
    for reserve_class, quantity in needs:
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
            raise DomainError(_("The quantity is a whole number of at least 1."), field="quantity")
        if reserve_class.pk in wanted:
            raise DomainError(_("Name each class once."), field="reserve_class")
        wanted[reserve_class.pk] = (reserve_class, quantity)
    before = sorted(
        f"{r.reserve_class.code}×{r.quantity}"
        for r in version.reserve_requirements.select_related("reserve_class")
    )
    after = sorted(f"{c.code}×{q}" for c, q in wanted.values())
    if before == after:
        return
    version.reserve_requirements.all().delete()
    Requirement.objects.bulk_create(
        Requirement(version=version, reserve_class=c, quantity=q) for c, q in wanted.values()
    )
    audit_record(
        actor=actor,
        action="reserve.requirements.set",
        obj=version,
        before={"needs": before},
        after={"needs": after},
        regulation="R-PLAN-1",
    )


def plan_readiness(versions: Iterable[Any], today: date) -> list[dict[str, Any]]:
    """For each version's required reserves: how many are ready against how many it needs."""
    from yingji.reserves.models import Requirement

    needs = list(
        Requirement.objects.filter(version__in=list(versions))
        .select_related("reserve_class", "version__plan")
        .order_by("version__plan__code", "reserve_class__code")
    )
    ready = {r["reserve_class"].pk: r["ready"] for r in queries.readiness(today)}
    return [
        {
            "plan": need.version.plan,
            "version": need.version,
            "reserve_class": need.reserve_class,
            "needed": need.quantity,
            "ready": ready.get(need.reserve_class_id, 0),
            "met": ready.get(need.reserve_class_id, 0) >= need.quantity,
        }
        for need in needs
    ]


# ---------------------------------------------------------------- stocktake walks


def expected_at(location: Location) -> Any:
    """What should be at a location and the locations inside it: every item not scrapped
    with something on hand."""
    places = [location.pk]
    frontier = [location.pk]
    while frontier:
        frontier = list(
            Location.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        places.extend(frontier)
    return (
        Item.objects.filter(location_id__in=places, on_hand__gt=0)
        .exclude(status=ItemStatus.SCRAPPED)
        .select_related("reserve_class", "location")
        .order_by("location__code", "tag")
    )


@transaction.atomic
def stocktake_start(*, actor: Actor, location: Location) -> Any:
    from yingji.reserves.models import Stocktake

    _require_keeper(actor, location.store)
    walk = Stocktake.objects.create(location=location, by=person_user(actor))
    audit_record(actor=actor, action="reserve.stocktake.start", obj=walk, regulation="R-RES-1")
    return walk


def _open_walk(actor: Actor, walk: Any) -> Any:
    from yingji.reserves.models import Stocktake

    walk = (
        Stocktake.objects.select_for_update(of=("self",))
        .select_related("location__store")
        .get(pk=walk.pk)
    )
    _require_keeper(actor, walk.location.store)
    if walk.finished_at is not None:
        raise DomainError(_("This stocktake is finished."), code="conflict")
    return walk


@transaction.atomic
def stocktake_mark(*, actor: Actor, walk: Any, scanned: str) -> Item:
    """Mark an item seen: by its tag, or by the address its label's QR holds."""
    walk = _open_walk(actor, walk)
    item = _scanned_item(scanned)
    walk.seen.add(item)
    return item


def _scanned_item(scanned: str) -> Item:
    text = scanned.strip()
    marker = "/reserves/items/"
    if marker in text:
        number = text.split(marker, 1)[1].strip("/").split("/")[0]
        found = Item.objects.filter(pk=int(number)).first() if number.isdigit() else None
    else:
        found = Item.objects.filter(tag=text).first()
    if found is None:
        raise DomainError(
            _("No spare has the tag or label %(text)s.") % {"text": text[:60]}, field="scanned"
        )
    return found


@transaction.atomic
def stocktake_finish(*, actor: Actor, walk: Any) -> Any:
    """The missing (expected, not seen) and the misplaced (seen here, kept elsewhere)."""
    walk = _open_walk(actor, walk)
    expected = {item.pk: item.tag for item in expected_at(walk.location)}
    seen = {item.pk: item.tag for item in walk.seen.all()}
    walk.missing = sorted(tag for pk, tag in expected.items() if pk not in seen)
    walk.misplaced = sorted(tag for pk, tag in seen.items() if pk not in expected)
    walk.finished_at = timezone.now()
    walk.save(update_fields=["missing", "misplaced", "finished_at"])
    audit_record(
        actor=actor,
        action="reserve.stocktake.finish",
        obj=walk,
        regulation="R-RES-1",
        after={
            "expected": len(expected),
            "seen": len(seen),
            "missing": walk.missing,
            "misplaced": walk.misplaced,
        },
    )
    return walk
