"""Reserve pages: readiness and the stores, a store with its locations and items, an item
with its ledger and inspections (R-RES-1)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.access import one_of
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.files import file_response
from yingji.core.forms import save_form
from yingji.core.word import DOCX
from yingji.reserves import queries, services
from yingji.reserves.forms import (
    ClassForm,
    ImportForm,
    LocationForm,
    MovementForm,
    ReceiveForm,
    StoreForm,
)
from yingji.reserves.models import InspectionPhoto, Ledger
from yingji.reserves.transfer import (
    XLSX,
    import_inventory,
    inventory_workbook,
    ledger_workbook,
    survey_docx,
)
from yingji.reserves.walks import open_walk_for

DUE_ROWS = 30


def _require_sight(request: HttpRequest) -> None:
    if not queries.sees_reserves(request.user):
        raise PermissionDenied


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """Readiness per class, the stores, and the inspections due in a month."""
    _require_sight(request)
    today = timezone.localdate()
    manager = queries.manages_all(request.user)
    class_form = ClassForm(request.POST if "class" in request.POST else None, prefix="class")
    store_form = StoreForm(request.POST if "store" in request.POST else None, prefix="store")
    if request.method == "POST":
        if not manager:
            raise PermissionDenied
        saved = _save_setup(request, class_form, store_form)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("reserves:overview")
    due = (
        queries.visible_items(request.user)
        .exclude(status="scrapped")
        .filter(inspection_due__lte=today + timedelta(days=30))
        .order_by("inspection_due", "tag")[:DUE_ROWS]
    )
    stores = queries.visible_stores(request.user).annotate(
        locations_count=Count("locations", distinct=True)
    )
    return render(
        request,
        "reserves/overview.html",
        {
            "readiness": queries.readiness(today),
            "stores": stores,
            "due": due,
            "today": today,
            "manager": manager,
            "class_form": class_form,
            "store_form": store_form,
        },
    )


def _save_setup(request: HttpRequest, class_form: ClassForm, store_form: StoreForm) -> Any:
    if "class" in request.POST:
        return save_form(
            class_form,
            lambda data: services.class_save(
                actor=request.user, **{k: v for k, v in data.items() if v is not None}
            ),
        )
    return save_form(store_form, lambda data: services.store_create(actor=request.user, **data))


@login_required
def store_detail(request: HttpRequest, pk: int) -> HttpResponse:
    store = queries.get_store_for(request.user, pk)
    keeper = queries.keeps(request.user, store)
    location_form = LocationForm(
        request.POST if "location" in request.POST else None, store=store, prefix="location"
    )
    receive_form = ReceiveForm(
        request.POST if "receive" in request.POST else None, store=store, prefix="receive"
    )
    if request.method == "POST":
        if not keeper:
            raise PermissionDenied
        if "location" in request.POST:
            saved = save_form(
                location_form,
                lambda data: services.location_create(actor=request.user, store=store, **data),
            )
        else:
            saved = save_form(
                receive_form, lambda data: services.item_receive(actor=request.user, **data)
            )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("reserves:store", pk=pk)
    items = (
        queries.visible_items(request.user)
        .filter(location__store=store)
        .order_by("location__code", "reserve_class__code", "tag")
    )
    return render(
        request,
        "reserves/store.html",
        {
            "store": store,
            "keeper": keeper,
            "locations": store.locations.all(),
            "items": items,
            "readiness": queries.readiness(timezone.localdate(), store),
            "location_form": location_form,
            "receive_form": receive_form,
            "today": timezone.localdate(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_item_for(request.user, pk)
    store = item.location.store
    keeper = queries.keeps(request.user, item.location.store)
    form = MovementForm(request.POST or None, store=store)
    if request.method == "POST":
        if not keeper:
            raise PermissionDenied
        saved = save_form(
            form, lambda data: services.movement_post(actor=request.user, item=item, **data)
        )
        if saved is not None:
            messages.success(request, _("Recorded."))
            return redirect("reserves:item", pk=pk)
    return render(
        request,
        "reserves/item.html",
        {
            "item": item,
            "store": store,
            "keeper": keeper,
            "form": form,
            "ledger": item.ledger.select_related(
                "by__person", "from_location", "to_location", "incident"
            ).order_by("-at", "-pk")[:50],
            "inspections": item.inspections.select_related("by__person").prefetch_related(
                Prefetch("photos", queryset=InspectionPhoto.objects.defer("data"))
            )[:20],
            "checklist": item.reserve_class.checklist,
            "ready": queries.is_ready(item, timezone.localdate()),
            "walk": open_walk_for(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def item_inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """The checklist as ticks: a check not ticked failed; each may carry a note."""
    item = queries.get_item_for(request.user, pk, write=True)
    results = [
        {
            "item": check,
            "ok": request.POST.get(f"ok-{n}") == "on",
            "note": request.POST.get(f"note-{n}", "")[:300],
        }
        for n, check in enumerate(item.reserve_class.checklist)
    ]
    try:
        inspection = services.inspection_record(
            actor=request.user,
            item=item,
            results=results,
            note=request.POST.get("note", "")[:2000],
            photos=[(f.name or "photo", f.read()) for f in request.FILES.getlist("photos")],
        )
    except AccessDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if inspection.result == "pass":
            messages.success(
                request,
                _("Inspected: ready until %(due)s.") % {"due": inspection.next_due.isoformat()},
            )
        else:
            messages.warning(request, _("Inspection failed: the item is not ready."))
    return redirect("reserves:item", pk=pk)


@login_required
@require_POST
def item_repaired(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_item_for(request.user, pk, write=True)
    try:
        services.repair_done(actor=request.user, item=item, note=request.POST.get("note", ""))
        messages.success(request, _("Back in service."))
    except AccessDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("reserves:item", pk=pk)


# ---------------------------------------------------------------- workbooks and the survey


def shown_incidents(user: Any, lines: Any) -> set[int]:
    """The incidents of these ledger lines that this reader may see."""
    from yingji.incidents.queries import visible_incidents

    ids = lines.exclude(incident__isnull=True).values("incident_id")
    return set(visible_incidents(user).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
def inventory_export(request: HttpRequest) -> HttpResponse:
    _require_sight(request)
    items = queries.visible_items(request.user)
    return file_response(
        f"inventory-{timezone.localdate():%Y%m%d}.xlsx", XLSX, inventory_workbook(items)
    )


@login_required
def ledger_export(request: HttpRequest) -> HttpResponse:
    _require_sight(request)
    lines = Ledger.objects.filter(item__in=queries.visible_items(request.user).values("pk"))
    return file_response(
        f"ledger-{timezone.localdate():%Y%m%d}.xlsx",
        XLSX,
        ledger_workbook(lines, shown_incidents(request.user, lines)),
    )


@login_required
def survey(request: HttpRequest) -> HttpResponse:
    _require_sight(request)
    return file_response(
        f"resource-survey-{timezone.localdate():%Y%m%d}.docx",
        DOCX,
        survey_docx(timezone.localdate()),
    )


@login_required
def inventory_import(request: HttpRequest) -> HttpResponse:
    """Spares into their locations from a workbook: checked first, then all rows or none."""
    _require_sight(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = import_inventory(
                actor=request.user,
                content=form.cleaned_data["file"].read(),
                dry_run=form.cleaned_data["dry_run"],
            )
        except DomainError as exc:
            form.add_error("file", str(exc.message))
        if result is not None and result.committed:
            messages.success(request, _("%(n)d received.") % {"n": result.created})
            return redirect("reserves:overview")
    return render(
        request,
        "reserves/import.html",
        {"form": form, "result": result},
        status=400 if result is not None and result.errors else 200,
    )


@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    """An inspection's picture, for whoever may see the item."""
    visible = queries.visible_items(request.user).values("pk")
    found = one_of(InspectionPhoto.objects.filter(inspection__item__in=visible), pk)
    return file_response(found.name, found.content_type, bytes(found.data))
