"""The incident page's reserves panel and its buttons (R-ACT-2): draw a spare in three taps,
confirm it as its custodian, take it back at the end; what has not come back is listed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.access import one_of
from yingji.core.errors import AccessDenied, DomainError
from yingji.incidents.access import is_open
from yingji.incidents.queries import get_incident_for
from yingji.reserves import queries, services
from yingji.reserves.models import Dispatch, ReserveClass


def incident_panel(request: HttpRequest, incident: Any) -> dict[str, Any] | None:
    """The panel's context, or None when there is nothing for this reader."""
    user = request.user
    rows = list(
        Dispatch.objects.filter(incident=incident)
        .select_related("item__reserve_class", "item__location__store", "requested_by__person")
        .order_by("requested_at", "pk")
    )
    may_request = services.can_request(user, incident)
    needs = services.plan_readiness(_plan_versions(incident), timezone.localdate())
    if not rows and not may_request and not needs:
        return None
    stores = {d.item.location.store for d in rows}
    keeping = {store.pk for store in stores if queries.keeps(user, store)}
    for dispatch in rows:
        dispatch.keeper = dispatch.item.location.store_id in keeping  # type: ignore[attr-defined]
    ready = (
        [r for r in queries.readiness(timezone.localdate()) if r["ready"]] if may_request else []
    )
    return {
        "incident": incident,
        "dispatches": rows,
        "outstanding": [d for d in rows if d.outstanding],
        "may_request": may_request,
        "ready_classes": ready,
        "ended": not is_open(incident),
        "needs": needs,
    }


def _plan_versions(incident: Any) -> list[Any]:
    """The plans activated for the incident; before the decision, the approved plans the
    meeting weighs for its category (R-ACT-1): their required reserves and readiness."""
    from yingji.incidents.choices import Status
    from yingji.plans.queries import approved_for

    if incident.status == Status.ESCALATED:
        return list(approved_for(incident.category))
    return [v for a in incident.assessments.all() for v in a.plan_versions.all()]


def _back(incident_pk: int) -> HttpResponse:
    return redirect(f"/incidents/{incident_pk}/#reserves")


def _run(request: HttpRequest, call: Any, success: str) -> None:
    try:
        call()
    except AccessDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)


@login_required
@require_POST
def request_spare(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_incident_for(request.user, pk)
    item = None
    if request.POST.get("tag"):
        item = queries.visible_items(request.user).filter(tag=request.POST["tag"].strip()).first()
        if item is None:
            messages.error(
                request, _("No spare has the tag %(tag)s.") % {"tag": request.POST["tag"]}
            )
            return _back(pk)
    reserve_class = None
    if request.POST.get("reserve_class", "").isdigit():
        reserve_class = ReserveClass.objects.filter(pk=int(request.POST["reserve_class"])).first()
    quantity = request.POST.get("quantity", "1")
    _run(
        request,
        lambda: services.dispatch_request(
            actor=request.user,
            incident=incident,
            item=item,
            reserve_class=reserve_class,
            quantity=int(quantity) if quantity.isdigit() else 0,
            note=request.POST.get("note", ""),
        ),
        _("Requested."),
    )
    return _back(pk)


def _dispatch(request: HttpRequest, pk: int) -> Dispatch:
    """A dispatch of an incident the reader may see (404 otherwise, as for the incident)."""
    dispatch = one_of(Dispatch.objects.select_related("incident", "item__location__store"), pk)
    get_incident_for(request.user, dispatch.incident_id)
    return dispatch


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _dispatch(request, pk)
    _run(
        request,
        lambda: services.dispatch_issue(actor=request.user, dispatch=dispatch),
        _("Issued."),
    )
    return _back(dispatch.incident_id)


@login_required
@require_POST
def back(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _dispatch(request, pk)

    def number(name: str) -> int:
        value = request.POST.get(name, "0") or "0"
        return int(value) if value.isdigit() else -1

    _run(
        request,
        lambda: services.dispatch_back(
            actor=request.user,
            dispatch=dispatch,
            returned=number("returned"),
            consumed=number("consumed"),
        ),
        _("Recorded."),
    )
    return _back(dispatch.incident_id)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = _dispatch(request, pk)
    _run(
        request,
        lambda: services.dispatch_cancel(actor=request.user, dispatch=dispatch),
        _("Cancelled."),
    )
    return _back(dispatch.incident_id)
