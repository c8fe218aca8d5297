"""Improvement register pages (R-REV-2): the register with its filters and counts, a
measure with its steps to verified, and the continuous-improvement plan of a year or quarter."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.access import one_of
from yingji.core.errors import DomainError
from yingji.core.files import file_response
from yingji.core.flash import flash_outcome
from yingji.core.forms import save_form
from yingji.core.paging import number_page
from yingji.incidents.queries import visible_incidents
from yingji.recovery import queries
from yingji.recovery.choices import MEASURE_CLOSED, MeasureStatus, Source
from yingji.recovery.documents import XLSX, ci_plan_docx, ci_plan_name, ci_plan_workbook
from yingji.recovery.filters import MeasureFilter
from yingji.recovery.forms import DoneForm, EvidenceForm, MeasureForm, ReasonForm, VerifyForm
from yingji.recovery.models import ImprovementPlan, MeasureEvidence
from yingji.recovery.services import measures

PAGE = 50


def _sight(request: HttpRequest) -> None:
    if not queries.sees_register(request.user):
        raise PermissionDenied


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """The register with its filters; counts by status and by source of what is filtered."""
    _sight(request)
    rows = queries.visible_measures(request.user)
    found = MeasureFilter(request.GET or None, queryset=rows, request=request)
    shown = found.qs if found.is_bound and found.is_valid() else rows
    by_status = dict(shown.order_by().values_list("status").annotate(n=Count("pk")))
    by_source = dict(shown.order_by().values_list("source").annotate(n=Count("pk")))
    overdue = MeasureFilter({"overdue": "true"}, queryset=shown, request=request).qs.count()
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "recovery/register.html",
        {
            "filter": found,
            "page": number_page(
                shown.select_related("owner", "incident").order_by("due", "pk"), request, size=PAGE
            ),
            "by_status": [(s, label, by_status.get(s, 0)) for s, label in MeasureStatus.choices],
            "by_source": [(s, label, by_source.get(s, 0)) for s, label in Source.choices],
            "overdue": overdue,
            "query": query.urlencode(),
            "may_raise": queries.can_raise_measure(request.user),
            "year": timezone.localdate().year,
        },
    )


@login_required
def measure_new(request: HttpRequest) -> HttpResponse:
    if not queries.can_raise_measure(request.user):
        raise PermissionDenied
    initial = {
        k: v
        for k, v in request.GET.items()
        if k in ("source", "source_ref", "change", "plan", "risk", "reserve_class", "rule")
    }
    form = MeasureForm(request.POST or None, user=request.user, initial=initial)
    incident = None
    incident_pk = request.POST.get("incident") or request.GET.get("incident")
    if incident_pk:
        incident = one_of(visible_incidents(request.user), incident_pk)
    if request.method == "POST":
        made = save_form(
            form,
            lambda data: measures.measure_create(actor=request.user, incident=incident, **data),
        )
        if made is not None:
            messages.success(request, _("Measure entered."))
            return redirect("improvements:measure", made.pk)
    return render(request, "recovery/measure_new.html", {"form": form, "incident": incident})


@login_required
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    measure = queries.get_measure_for(request.user, pk)
    user = request.user
    status = measure.status
    works = queries.can_work_on(user, measure)
    verifies = queries.can_verify(user, measure)
    return render(
        request,
        "recovery/measure.html",
        {
            "measure": measure,
            "evidence": list(measure.evidence.defer("data")),
            "may_start": works and status == MeasureStatus.OPEN,
            "may_done": works and status in (MeasureStatus.OPEN, MeasureStatus.IN_PROGRESS),
            "may_verify": verifies and status == MeasureStatus.DONE,
            "may_propose": works
            and status not in MEASURE_CLOSED
            and not measure.not_doing_proposed,
            "may_decide": queries.leads(user) and measure.not_doing_proposed,
            "may_attach": (works or verifies) and status not in MEASURE_CLOSED,
            "done_form": DoneForm(),
            "verify_form": VerifyForm(),
            "reason_form": ReasonForm(),
            "evidence_form": EvidenceForm(),
        },
    )


@login_required
@require_POST
def measure_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    measure = queries.get_measure_for(request.user, pk)
    user, post = request.user, request.POST
    forms_of: dict[str, Any] = {"done": DoneForm, "verify": VerifyForm, "evidence": EvidenceForm}
    form = forms_of[step](post, request.FILES) if step in forms_of else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("improvements:measure", pk)
    data = form.cleaned_data if form is not None else {}
    calls = {
        "start": lambda: measures.measure_start(actor=user, measure=measure),
        "done": lambda: measures.measure_done(actor=user, measure=measure, note=data["note"]),
        "verify": lambda: measures.measure_verify(
            actor=user,
            measure=measure,
            evidence_note=data["evidence_note"],
            evidence_link=data["evidence_link"],
            files=data["attachments"],
        ),
        "reopen": lambda: measures.measure_reopen(
            actor=user, measure=measure, reason=post.get("reason", "")
        ),
        "propose": lambda: measures.not_doing_propose(
            actor=user, measure=measure, reason=post.get("reason", "")
        ),
        "accept": lambda: measures.not_doing_decide(actor=user, measure=measure, accept=True),
        "refuse": lambda: measures.not_doing_decide(
            actor=user, measure=measure, accept=False, comment=post.get("reason", "")
        ),
        "evidence": lambda: measures.evidence_add(
            actor=user, measure=measure, files=data["attachments"]
        ),
    }
    if step not in calls:
        raise PermissionDenied
    flash_outcome(request, calls[step], _("Saved."))
    return redirect("improvements:measure", pk)


@login_required
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = one_of(MeasureEvidence.objects.all(), pk)
    queries.get_measure_for(request.user, evidence.measure_id)
    return file_response(evidence.name, evidence.content_type, bytes(evidence.data))


def _period(request: HttpRequest) -> tuple[int, int | None]:
    year_text, quarter_text = request.GET.get("year", ""), request.GET.get("quarter", "")
    year = (
        int(year_text)
        if year_text.isdigit() and 2000 <= int(year_text) <= 2100
        else timezone.localdate().year
    )
    quarter = int(quarter_text) if quarter_text in ("1", "2", "3", "4") else None
    return year, quarter


@login_required
def ci_plan(request: HttpRequest) -> HttpResponse:
    """R-REV-2: the continuous-improvement plan of a year or quarter; approved by the
    leadership group; as .xlsx and .docx."""
    _sight(request)
    year, quarter = _period(request)
    rows = list(
        measures.plan_measures(request.user, year, quarter).select_related("owner", "incident")
    )
    plan = ImprovementPlan.objects.filter(year=year, quarter=quarter).first()
    if request.method == "POST":
        try:
            measures.ci_plan_approve(
                actor=request.user, year=year, quarter=quarter, note=request.POST.get("note", "")
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Approved."))
        return redirect(f"{request.path}?year={year}" + (f"&quarter={quarter}" if quarter else ""))
    fmt = request.GET.get("format")
    name = ci_plan_name(year, quarter)
    if fmt == "xlsx":
        return file_response(f"{name}.xlsx", XLSX, ci_plan_workbook(rows, plan))
    if fmt == "docx":
        return ci_plan_docx(rows, plan, year, quarter).response(f"{name}.docx")
    approved = set(plan.measure_ids) if plan and plan.approved_at else None
    for measure in rows:
        measure.added_later = approved is not None and measure.pk not in approved  # type: ignore[attr-defined]
    return render(
        request,
        "recovery/ci_plan.html",
        {
            "year": year,
            "quarter": quarter,
            "quarters": (1, 2, 3, 4),
            "measures": rows,
            "plan": plan,
            "may_approve": queries.leads(request.user) and bool(rows),
            "verified": sum(1 for m in rows if m.status == MeasureStatus.VERIFIED),
            "overdue": sum(1 for m in rows if m.overdue),
        },
    )
