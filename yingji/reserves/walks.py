"""A location's page (what its label's QR opens), labels as PDF, and the stocktake walk on a
phone: see what should be there, tap or scan what is seen, get what is missing and what
does not belong (R-RES-1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.access import one_of
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.files import file_response
from yingji.reserves import queries, services
from yingji.reserves.labels import LAYOUTS, Label, labels_pdf
from yingji.reserves.models import Item, Location, Stocktake

PDF = "application/pdf"


def _location(request: HttpRequest, pk: int) -> Location:
    return one_of(queries.visible_locations(request.user), pk)


@login_required
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location(request, pk)
    return render(
        request,
        "reserves/location.html",
        {
            "location": location,
            "store": location.store,
            "expected": services.expected_at(location),
            "keeper": queries.keeps(request.user, location.store),
            "walks": location.stocktakes.select_related("by__person")[:10],
        },
    )


@login_required
@require_POST
def stocktake_start(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location(request, pk)
    walk = services.stocktake_start(actor=request.user, location=location)
    return redirect("reserves:stocktake", pk=walk.pk)


def _walk(request: HttpRequest, pk: int) -> Stocktake:
    walks = Stocktake.objects.filter(location__in=queries.visible_locations(request.user))
    return one_of(walks.select_related("location__store", "by__person"), pk)


@login_required
def stocktake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    walk = _walk(request, pk)
    seen = set(walk.seen.values_list("pk", flat=True))
    expected = list(services.expected_at(walk.location))
    return render(
        request,
        "reserves/stocktake.html",
        {
            "walk": walk,
            "expected": expected,
            "seen": seen,
            "seen_elsewhere": walk.seen.exclude(pk__in=[i.pk for i in expected]).select_related(
                "location"
            ),
            "keeper": queries.keeps(request.user, walk.location.store),
        },
    )


@login_required
@require_POST
def stocktake_mark(request: HttpRequest, pk: int) -> HttpResponse:
    walk = _walk(request, pk)
    try:
        item = services.stocktake_mark(
            actor=request.user, walk=walk, scanned=request.POST.get("scanned", "")[:300]
        )
    except AccessDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Seen: %(tag)s") % {"tag": item.tag})
    return redirect("reserves:stocktake", pk=pk)


@login_required
@require_POST
def stocktake_finish(request: HttpRequest, pk: int) -> HttpResponse:
    walk = _walk(request, pk)
    try:
        services.stocktake_finish(actor=request.user, walk=walk)
    except AccessDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("reserves:stocktake", pk=pk)


def open_walk_for(user: Any) -> Stocktake | None:
    """The reader's own stocktake under way, for the item page's "seen" button."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Stocktake.objects.filter(by=user, finished_at__isnull=True)
        .select_related("location")
        .order_by("-started_at")
        .first()
    )


# ---------------------------------------------------------------- labels


def _layout(request: HttpRequest) -> str:
    layout = request.GET.get("layout", "a4")
    return layout if layout in LAYOUTS else "a4"


def _item_label(item: Item) -> Label:
    return Label(
        item.tag,
        f"{item.reserve_class.name} {item.model}".strip(),
        f"{settings.BASE_URL}/reserves/items/{item.pk}/",
    )


def _location_label(location: Location) -> Label:
    return Label(
        location.code,
        f"{location.store.name} {location.name}",
        f"{settings.BASE_URL}/reserves/locations/{location.pk}/",
    )


@login_required
def store_labels(request: HttpRequest, pk: int) -> HttpResponse:
    """Every location's label, then every item's, of one store."""
    store = queries.get_store_for(request.user, pk)
    locations = store.locations.select_related("store").order_by("code")
    items = (
        queries.visible_items(request.user)
        .filter(location__store=store)
        .exclude(status="scrapped")
        .order_by("location__code", "tag")
    )
    labels = [*map(_location_label, locations), *map(_item_label, items)]
    return file_response(f"labels-{store.code}.pdf", PDF, labels_pdf(labels, _layout(request)))


@login_required
def item_label(request: HttpRequest, pk: int) -> HttpResponse:
    item = queries.get_item_for(request.user, pk)
    return file_response(
        f"label-{item.tag}.pdf", PDF, labels_pdf([_item_label(item)], _layout(request))
    )


@login_required
def location_label(request: HttpRequest, pk: int) -> HttpResponse:
    location = _location(request, pk)
    return file_response(
        f"label-{location.code}.pdf", PDF, labels_pdf([_location_label(location)], _layout(request))
    )
