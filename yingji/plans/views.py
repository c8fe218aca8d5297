"""Plan pages: the list with review dates, and a plan with its versions and approval steps."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.flash import flash_outcome
from yingji.plans import services
from yingji.plans.models import PlanVersion
from yingji.plans.queries import allowed_actions, get_plan_for, latest_versions, visible_plans


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = list(visible_plans(request.user))
    newest = latest_versions(plans)
    rows = [(plan, newest.get(plan.pk)) for plan in plans]
    context = {"rows": rows, "today": timezone.localdate()}
    return render(request, "plans/list.html", context)


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for(request.user, pk)
    versions = list(plan.versions.prefetch_related("approvals__by__person"))
    shown = versions[0] if versions else None
    context = {
        "plan": plan,
        "version": shown,
        "versions": versions,
        "steps": shown.steps.all() if shown else [],
        "actions": allowed_actions(request.user, shown) if shown else [],
        "may_edit": services.may(request.user, "editor", plan),
        "today": timezone.localdate(),
    }
    return render(request, "plans/detail.html", context)


@login_required
@require_POST
def version_step(request: HttpRequest, pk: int, number: int, action: str) -> HttpResponse:
    """Submit, send for approval, return with comments, or approve (R-PLAN-2)."""
    plan = get_plan_for(request.user, pk)
    version = get_object_or_404(PlanVersion, plan=plan, number=number)
    comment = request.POST.get("comment", "")[:2000]
    if action == "approve":
        call = lambda: services.version_approve(  # noqa: E731
            actor=request.user, version=version, comment=comment
        )
    else:
        call = lambda: services.version_transition(  # noqa: E731
            actor=request.user, version=version, action=action, comment=comment
        )
    flash_outcome(request, call, _("Approval recorded.") if action == "approve" else _("Done."))
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for(request.user, pk)
    flash_outcome(request, lambda: services.version_new(actor=request.user, plan=plan),
                  _("A new draft version was started."))  # fmt: skip
    return redirect("plans:detail", pk=plan.pk)
