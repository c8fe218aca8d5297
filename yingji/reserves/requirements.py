"""A plan version's required reserves on the plan's page (R-PLAN-1 with R-RES-1): what it
needs, how much of it is ready, and the authors' form while the version is a draft."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.errors import AccessDenied, DomainError
from yingji.plans.models import PlanVersion
from yingji.plans.queries import get_plan_for, visible_versions
from yingji.reserves import queries, services
from yingji.reserves.choices import ROWS_OF_NEEDS
from yingji.reserves.models import Requirement, ReserveClass


def plan_panel(request: HttpRequest, version: PlanVersion) -> dict[str, Any] | None:
    if not queries.sees_reserves(request.user):
        return None
    rows = services.plan_readiness([version], timezone.localdate())
    editable = services.can_set_requirements(request.user, version)
    if not rows and not editable:
        return None
    previous = None
    if editable and not rows:
        previous = (
            PlanVersion.objects.filter(plan=version.plan, reserve_requirements__isnull=False)
            .exclude(pk=version.pk)
            .order_by("-number")
            .first()
        )
    return {
        "version": version,
        "rows": rows,
        "editable": editable,
        "previous": previous,
        "classes": ReserveClass.objects.filter(active=True).order_by("code"),
        "blank_rows": range(ROWS_OF_NEEDS),
    }


def _version(request: HttpRequest, pk: int) -> PlanVersion:
    version = PlanVersion.objects.select_related("plan").get(pk=pk)
    plan = get_plan_for(request.user, version.plan_id)
    return visible_versions(request.user, plan).get(pk=version.pk)


@login_required
@require_POST
def requirements_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Rows of class and quantity; an empty row is left out."""
    version = _version(request, pk)
    classes = {c.pk: c for c in ReserveClass.objects.filter(active=True)}
    needs: list[tuple[ReserveClass, int]] = []
    source = request.POST.get("copy_from", "")
    try:
        if source.isdigit():
            old = _version(request, int(source))
            rows = Requirement.objects.filter(version=old).select_related("reserve_class")
            needs = [(r.reserve_class, r.quantity) for r in rows]
        else:
            for n in range(ROWS_OF_NEEDS + 50):
                chosen = request.POST.get(f"class-{n}", "")
                quantity = request.POST.get(f"quantity-{n}", "").strip()
                if not chosen:
                    continue
                if not chosen.isdigit() or int(chosen) not in classes or not quantity.isdigit():
                    raise DomainError(_("Choose a class and a whole number for each row."))
                needs.append((classes[int(chosen)], int(quantity)))
        services.requirements_set(actor=request.user, version=version, needs=needs)
    except AccessDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Required reserves saved."))
    return redirect(f"/plans/{version.plan_id}/versions/{version.number}/#reserves")
