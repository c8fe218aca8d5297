"""Risk pages: the register, the assessments with their quality checks and review, the heat
map, the comparison between departments and their history, campaigns and settings, R&D
projects, and the Word report and Excel register."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core.access import one_of
from yingji.core.errors import AccessDenied, DomainError
from yingji.core.files import file_response
from yingji.core.flash import flash_outcome
from yingji.core.forms import save_form
from yingji.core.paging import number_page
from yingji.core.word import DOCX
from yingji.org.models import Department
from yingji.org.queries import visible_departments
from yingji.risks import charts, queries, services
from yingji.risks.choices import EDITABLE, ProjectStatus, Status
from yingji.risks.filters import RiskFilter
from yingji.risks.forms import (
    AcceptanceForm,
    AssessmentForm,
    CampaignForm,
    CloseForm,
    ImportForm,
    MatrixForm,
    PolicyForm,
    ProjectForm,
    ProjectStatusForm,
    RiskForm,
    split_risk_data,
)
from yingji.risks.links import LINK_KINDS
from yingji.risks.models import Acceptance, Assessment, Risk
from yingji.risks.quality import quality_check
from yingji.risks.quarters import label, quarter_of
from yingji.risks.report import assessment_docx, company_docx
from yingji.risks.transfer import XLSX, import_register, register_workbook

PAGE_SIZE = 50


# ---------------------------------------------------------------- the register


@login_required
def register(request: HttpRequest) -> HttpResponse:
    found = RiskFilter(request.GET or None, queryset=_register_rows(request.user))
    rows = found.qs if found.is_valid() else found.queryset
    page = number_page(
        rows.order_by(
            "-assessment__year", "-assessment__quarter", "assessment__department__code", "number"
        ),
        request,
        size=PAGE_SIZE,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "risks/register.html",
        {
            "filter": found,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


def _register_rows(user: Any) -> Any:
    return queries.visible_risks(user).select_related("assessment__department", "owner")


@login_required
def register_export(request: HttpRequest) -> HttpResponse:
    found = RiskFilter(request.GET or None, queryset=_register_rows(request.user))
    rows = found.qs if found.is_valid() else found.queryset
    content = register_workbook(
        rows.order_by(
            "assessment__year", "assessment__quarter", "assessment__department__code", "number"
        )
    )
    return file_response(f"risk-register-{timezone.localdate():%Y%m%d}.xlsx", XLSX, content)


# ---------------------------------------------------------------- assessments


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    rows = (
        queries.visible_assessments(request.user)
        .annotate(risk_count=Count("risks", filter=~Q(risks__mark="closed")))
        .order_by("-year", "-quarter", "department__sort_order", "department__code", "pk")
    )
    status = request.GET.get("status", "")
    if status in Status.values:
        rows = rows.filter(status=status)
    page = number_page(rows, request, size=PAGE_SIZE)
    return render(
        request,
        "risks/assessments.html",
        {
            "page": page,
            "statuses": Status.choices,
            "status": status,
            "query": f"status={status}" if status else "",
            "today": timezone.localdate(),
            "can_manage": queries.can_manage(request.user),
        },
    )


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = queries.get_assessment_for(request.user, pk)
    risks = list(
        assessment.risks.select_related(
            "owner", "carried_from__assessment__matrix"
        ).prefetch_related("acceptances", "assets", "links")
    )
    shape = assessment.matrix.shape
    today = timezone.localdate()
    findings = quality_check(assessment, today) if assessment.status in EDITABLE else []
    change_rows, change_counts = charts.changes(assessment, risks)
    comments = defaultdict(list)
    for comment in assessment.comments.select_related("by__person"):
        comments[comment.risk_id].append(comment)
    for risk in risks:
        risk.review_comments = comments.get(risk.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "risks/assessment.html",
        {
            "assessment": assessment,
            "risks": risks,
            "shape": shape,
            "findings": findings,
            "errors": [f for f in findings if f.blocking],
            "current_map": charts.heat_map(shape, charts.stage_pairs(risks, "current")),
            "residual_map": charts.heat_map(shape, charts.stage_pairs(risks, "residual")),
            "changes": change_rows,
            "change_counts": change_counts,
            "general_comments": comments.get(None, []),
            "project_statuses": ProjectStatus.choices,
            "actions": queries.allowed_actions(request.user, assessment),
            "can_edit": queries.can_edit(request.user, assessment),
            "owns": queries.owns(request.user, assessment),
            "delegates": assessment.delegates.all(),
            "today": today,
            "project": assessment.project,
            "register_link": _register_link(
                assessment.year, assessment.quarter, assessment.department_id
            ),
            "can_manage_project": bool(assessment.project)
            and queries.can_manage_project(request.user, assessment.project),
        },
    )


@login_required
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = queries.get_assessment_for(request.user, pk, write=True)
    form = AssessmentForm(
        request.POST or None,
        initial={
            "scope": assessment.scope,
            "conclusion": assessment.conclusion,
            "delegates": list(assessment.delegates.all()),
        },
    )
    if not queries.owns(request.user, assessment):
        del form.fields["delegates"]
    if request.method == "POST":

        def save(data: dict[str, Any]) -> Assessment:
            delegates = data.pop("delegates", None)
            services.assessment_update(actor=request.user, assessment=assessment, **data)
            if delegates is not None:
                services.delegates_set(actor=request.user, assessment=assessment, people=delegates)
            return assessment

        if save_form(form, save) is not None:
            messages.success(request, _("Saved."))
            return redirect("risks:assessment", pk=pk)
    return render(
        request,
        "risks/form.html",
        {
            "form": form,
            "title": _("Scope and conclusions"),
            "back": assessment,
        },
    )


@login_required
@require_POST
def assessment_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit (quality checks first), approve, or return with comments per risk."""
    assessment = queries.get_assessment_for(request.user, pk)
    try:
        if action == "submit":
            warnings = services.assessment_submit(actor=request.user, assessment=assessment)
            messages.success(request, _("Submitted for the leadership group's review."))
            if warnings:
                messages.warning(
                    request, _("%(n)d warnings remain; they do not block.") % {"n": len(warnings)}
                )
        elif action == "approve":
            comment = request.POST.get("comment", "")[:4000]
            services.assessment_approve(actor=request.user, assessment=assessment, comment=comment)
            messages.success(request, _("The assessment is approved and done."))
        elif action == "return":
            per_risk = {
                key.removeprefix("risk-"): value
                for key, value in request.POST.items()
                if key.startswith("risk-") and key.removeprefix("risk-").isdigit()
            }
            services.assessment_return(
                actor=request.user,
                assessment=assessment,
                comment=request.POST.get("comment", "")[:4000],
                risk_comments={int(k): str(v)[:4000] for k, v in per_risk.items()},
            )
            messages.success(request, _("Returned with comments."))
        else:
            raise DomainError(_("Unknown step."))
    except AccessDenied:
        raise
    except services.QualityErrors as exc:
        messages.error(request, str(exc.message))
        for finding in exc.findings:
            messages.error(request, finding.message)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("risks:assessment", pk=pk)


# ---------------------------------------------------------------- risks


@login_required
def risk_add(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = queries.get_assessment_for(request.user, pk, write=True)
    return _risk_form(request, assessment, None)


@login_required
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = queries.get_risk_for(request.user, pk, write=True)
    return _risk_form(request, risk.assessment, risk)


def _risk_form(request: HttpRequest, assessment: Assessment, risk: Risk | None) -> HttpResponse:
    form = RiskForm(
        request.POST or None,
        shape=assessment.matrix.shape,
        user=request.user,
        initial=_risk_initial(risk) if risk else {},
    )
    if request.method == "POST":

        def save(data: dict[str, Any]) -> Risk:
            fields, links = split_risk_data(data)
            if risk is None:
                saved = services.risk_add(actor=request.user, assessment=assessment, **fields)
            else:
                saved = services.risk_update(actor=request.user, risk=risk, **fields)
            services.links_set(actor=request.user, risk=saved, links=links)
            return saved

        saved = save_form(form, save)
        if saved is not None:
            messages.success(request, _("Risk %(ref)s saved.") % {"ref": saved.ref})
            return redirect(f"/risks/assessments/{assessment.pk}/#risk-{saved.pk}")
    return render(
        request,
        "risks/risk_form.html",
        {
            "form": form,
            "assessment": assessment,
            "risk": risk,
            "matrix_map": charts.heat_map(assessment.matrix.shape, []),
            "matrix_levels": _levels_for_script(assessment.matrix.shape),
        },
        status=400 if request.method == "POST" else 200,
    )


def _levels_for_script(shape: Any) -> dict[str, Any]:
    """The grid and each level's name and colour, for the form's live level beside the scores."""
    return {
        "grid": shape.grid,
        "levels": [{"name": lv.name, "colour": lv.colour} for lv in shape.levels],
    }


def _risk_initial(risk: Risk) -> dict[str, Any]:
    names = (
        "title",
        "family",
        "description",
        "existing_measures",
        "knowledge",
        "knowledge_note",
        "treatment",
        "treatment_plan",
        "owner",
        "treatment_due",
        "treatment_done",
        *services.SCORE_FIELDS,
    )
    initial = {name: getattr(risk, name) for name in names}
    initial["assets"] = list(risk.assets.all())
    for key in LINK_KINDS:
        ids = [link.target_id for link in risk.links.all() if link.kind == key]
        initial[f"link_{key}"] = ids
    return initial


@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    risk = queries.get_risk_for(request.user, pk)
    assessment = risk.assessment
    shape = assessment.matrix.shape
    return render(
        request,
        "risks/risk.html",
        {
            "risk": risk,
            "assessment": assessment,
            "shape": shape,
            "levels": {
                stage: shape.level(
                    getattr(risk, f"{stage}_likelihood"), getattr(risk, f"{stage}_impact")
                )
                for stage in ("inherent", "current", "residual")
            },
            "acceptances": risk.acceptances.select_related("by__person"),
            "links": [
                (LINK_KINDS[link.kind].label, LINK_KINDS[link.kind].url(link.target_id), link.label)
                if link.kind in LINK_KINDS
                else (link.kind, "", link.label)
                for link in risk.links.all()
            ],
            "comments": risk.comments.select_related("by__person"),
            "can_edit": queries.can_edit(request.user, assessment),
            "can_accept": queries.can_accept(request.user, risk) and risk.treatment == "accept",
            "accept_form": AcceptanceForm(),
            "close_form": CloseForm(),
            "sees_assessment": queries.visible_assessments(request.user)
            .filter(pk=assessment.pk)
            .exists(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def risk_close(request: HttpRequest, pk: int) -> HttpResponse:
    risk = queries.get_risk_for(request.user, pk, write=True)
    form = CloseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    flash_outcome(
        request,
        lambda: services.risk_close(actor=request.user, risk=risk, reason=reason),
        _("The risk is closed."),
    )
    return redirect("risks:risk", pk=pk)


@login_required
@require_POST
def risk_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    risk = queries.get_risk_for(request.user, pk, write=True)
    flash_outcome(
        request,
        lambda: services.risk_reopen(actor=request.user, risk=risk),
        _("The risk is open again."),
    )
    return redirect("risks:risk", pk=pk)


@login_required
@require_POST
def risk_remove(request: HttpRequest, pk: int) -> HttpResponse:
    risk = queries.get_risk_for(request.user, pk, write=True)
    assessment_pk = risk.assessment_id
    if flash_outcome(
        request,
        lambda: services.risk_remove(actor=request.user, risk=risk) or True,
        _("The risk is removed."),
    ):
        return redirect("risks:assessment", pk=assessment_pk)
    return redirect("risks:risk", pk=pk)


@login_required
@require_POST
def risk_accept(request: HttpRequest, pk: int) -> HttpResponse:
    risk = queries.get_risk_for(request.user, pk)
    form = AcceptanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date it is accepted until and the justification."))
    else:
        flash_outcome(
            request,
            lambda: services.acceptance_add(actor=request.user, risk=risk, **form.cleaned_data),
            _("The risk is accepted."),
        )
    return redirect("risks:risk", pk=pk)


@login_required
@require_POST
def acceptance_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    acceptance = get_object_or_404(Acceptance, pk=pk)
    queries.get_risk_for(request.user, acceptance.risk_id)
    flash_outcome(
        request,
        lambda: services.acceptance_revoke(actor=request.user, acceptance=acceptance),
        _("The acceptance is revoked."),
    )
    return redirect("risks:risk", pk=acceptance.risk_id)


# ---------------------------------------------------------------- pictures


def _chosen_quarter(request: HttpRequest, rows: Any) -> tuple[int, int]:
    """?quarter=2026-4; else the latest quarter with an assessment; else this quarter."""
    value = request.GET.get("quarter", "")
    year, _sep, quarter = value.partition("-")
    if year.isdigit() and quarter in {"1", "2", "3", "4"} and 2000 <= int(year) <= 2099:
        return int(year), int(quarter)
    latest = rows.order_by("-year", "-quarter").values_list("year", "quarter").first()
    return latest if latest else quarter_of(timezone.localdate())


def _quarters(rows: Any) -> list[tuple[str, str]]:
    pairs = rows.order_by("-year", "-quarter").values_list("year", "quarter").distinct()[:16]
    return [(f"{y}-{q}", label(y, q)) for y, q in pairs]


@login_required
def heatmap(request: HttpRequest) -> HttpResponse:
    """The company's (or one department's) risks this quarter, current and residual."""
    assessments = queries.visible_assessments(request.user).filter(project__isnull=True)
    year, quarter = _chosen_quarter(request, assessments)
    chosen = assessments.filter(year=year, quarter=quarter)
    department = request.GET.get("department", "")
    if department.isdigit():
        chosen = chosen.filter(department_id=int(department))
    risks = list(
        Risk.objects.filter(assessment__in=chosen)
        .exclude(mark="closed")
        .select_related("assessment__matrix")
    )
    by_matrix: dict[int, list[Risk]] = defaultdict(list)
    for risk in risks:
        by_matrix[risk.assessment.matrix_id].append(risk)
    maps = [
        (
            rows[0].assessment.matrix,
            charts.heat_map(rows[0].assessment.matrix.shape, charts.stage_pairs(rows, "current")),
            charts.heat_map(rows[0].assessment.matrix.shape, charts.stage_pairs(rows, "residual")),
        )
        for rows in by_matrix.values()
    ]
    return render(
        request,
        "risks/heatmap.html",
        {
            "maps": maps,
            "quarter": f"{year}-{quarter}",
            "quarter_label": label(year, quarter),
            "quarter_year": year,
            "register_link": _register_link(
                year, quarter, int(department) if department.isdigit() else None
            ),
            "quarter_number": quarter,
            "risk_sees_all": queries.sees_all(request.user),
            "quarters": _quarters(assessments),
            "department": department,
            "departments": Department.objects.filter(pk__in=assessments.values("department_id")),
        },
    )


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Departments side by side this quarter: risks per level, and how the review stands."""
    assessments = queries.visible_assessments(request.user).filter(project__isnull=True)
    year, quarter = _chosen_quarter(request, assessments)
    chosen = list(assessments.filter(year=year, quarter=quarter))
    levels = _levels_by_assessment([a.pk for a in chosen])
    rows = [(a, charts.level_counts(a.matrix.shape, levels.get(a.pk, []))) for a in chosen]
    chart = charts.stacked_bars([(a.department.name, counts) for a, counts in rows])
    return render(
        request,
        "risks/compare.html",
        {
            "rows": rows,
            "chart": chart,
            "quarter": f"{year}-{quarter}",
            "quarter_label": label(year, quarter),
            "quarters": _quarters(assessments),
            "today": timezone.localdate(),
        },
    )


def _register_link(year: int, quarter: int, department: int | None) -> str:
    """The register filtered to a quarter (and a department); a cell adds `&cell=`."""
    link = f"/risks/?quarter={year}-{quarter}"
    return f"{link}&department={department}" if department else link


def _levels_by_assessment(pks: list[int]) -> dict[int, list[int | None]]:
    found: dict[int, list[int | None]] = defaultdict(list)
    rows = (
        Risk.objects.filter(assessment_id__in=pks)
        .exclude(mark="closed")
        .values_list("assessment_id", "current_level")
    )
    for assessment_id, level in rows:
        found[assessment_id].append(level)
    return found


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """A department's quarters: its risks per level, oldest first."""
    department = one_of(visible_departments(request.user), pk)
    assessments = list(
        queries.visible_assessments(request.user)
        .filter(department=department, project__isnull=True)
        .order_by("-year", "-quarter")[:12]
    )[::-1]
    if not assessments:
        raise PermissionDenied
    levels = _levels_by_assessment([a.pk for a in assessments])
    rows = [(a, charts.level_counts(a.matrix.shape, levels.get(a.pk, []))) for a in assessments]
    chart = charts.stacked_bars([(label(a.year, a.quarter), counts) for a, counts in rows])
    return render(
        request,
        "risks/history.html",
        {
            "department": department,
            "rows": rows,
            "chart": chart,
        },
    )


# ---------------------------------------------------------------- campaigns and settings


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    can_manage = queries.can_manage(request.user)
    year, quarter = quarter_of(timezone.localdate())
    form = CampaignForm(request.POST or None, initial={"year": year, "quarter": quarter})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        campaign = save_form(
            form,
            lambda data: services.campaign_open(
                actor=request.user,
                year=data["year"],
                quarter=data["quarter"],
                reason=data["reason"],
                departments=data["departments"] or None,
            ),
        )
        if campaign is not None:
            messages.success(
                request, _("%(n)d assessments opened.") % {"n": campaign.assessments.count()}
            )
            return redirect("risks:campaigns")
    rows = queries.visible_campaigns(request.user).annotate(count=Count("assessments"))[:40]
    return render(
        request,
        "risks/campaigns.html",
        {
            "rows": rows,
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
def risk_settings(request: HttpRequest) -> HttpResponse:
    if not queries.can_manage(request.user):
        raise PermissionDenied
    policy = services.unsaved_policy()
    form = PolicyForm(
        request.POST or None,
        initial={
            "matrix": policy.matrix,
            "due_day": policy.due_day,
            "remind_days": ", ".join(str(d) for d in policy.remind_days),
            "auto_open": policy.auto_open,
            "co_department": policy.co_department,
        },
    )
    if (
        request.method == "POST"
        and save_form(form, lambda data: services.policy_update(actor=request.user, **data))
        is not None
    ):
        messages.success(request, _("Saved."))
        return redirect("risks:settings")
    matrices = queries.visible_matrices(request.user).annotate(used=Count("assessments"))
    return render(
        request,
        "risks/settings.html",
        {
            "form": form,
            "matrices": matrices,
            "policy": policy,
        },
    )


@login_required
def matrix_detail(request: HttpRequest, pk: int) -> HttpResponse:
    matrix = one_of(queries.visible_matrices(request.user), pk)
    can_manage = queries.can_manage(request.user)
    shape = matrix.shape
    form = MatrixForm(request.POST or None, shape=shape, initial={"name": matrix.name})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        saved = save_form(form, lambda data: _save_matrix(request, matrix, form))
        if saved is not None:
            return redirect("risks:matrix", pk=saved.pk)
    return render(
        request,
        "risks/matrix.html",
        {
            "matrix": matrix,
            "shape": shape,
            "map": charts.heat_map(shape, []),
            "form": form,
            "can_manage": can_manage,
            "in_use": matrix.assessments.exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


def _save_matrix(request: HttpRequest, matrix: Any, form: MatrixForm) -> Any:
    data, definition = form.cleaned_data, form.definition()
    if data["new_code"]:
        saved = services.matrix_create(
            actor=request.user, code=data["new_code"], name=data["name"], definition=definition
        )
        messages.success(request, _("Saved as a new matrix."))
    else:
        saved = services.matrix_change(
            actor=request.user, matrix=matrix, name=data["name"], definition=definition
        )
        if saved.pk != matrix.pk:
            messages.success(
                request,
                _("The matrix is in use, so version %(v)d was made.") % {"v": saved.version},
            )
        else:
            messages.success(request, _("Saved."))
    return saved


# ---------------------------------------------------------------- projects


@login_required
def projects(request: HttpRequest) -> HttpResponse:
    can_create = queries.can_manage_project(request.user)
    form = ProjectForm(request.POST or None)
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        project = save_form(form, lambda data: services.project_create(actor=request.user, **data))
        if project is not None:
            messages.success(request, _("The project and its technical-risk assessment were made."))
            return redirect("risks:assessment", pk=project.assessment.pk)
    page = number_page(queries.visible_projects(request.user), request, size=PAGE_SIZE)
    return render(
        request,
        "risks/projects.html",
        {
            "page": page,
            "form": form,
            "can_create": can_create,
            "query": "",
        },
    )


@login_required
@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    project = queries.get_project_for(request.user, pk, write=True)
    form = ProjectStatusForm(request.POST)
    if form.is_valid():
        flash_outcome(
            request,
            lambda: services.project_status(
                actor=request.user, project=project, status=form.cleaned_data["status"]
            ),
            _("The project's status is changed."),
        )
    return redirect("risks:assessment", pk=project.assessment.pk)


# ---------------------------------------------------------------- documents


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = queries.get_assessment_for(request.user, pk)
    name = f"risk-assessment-{assessment.year}Q{assessment.quarter}-{assessment.department.code}"
    return file_response(f"{name}.docx", DOCX, assessment_docx(assessment))


@login_required
def company_report(request: HttpRequest, year: int, quarter: int) -> HttpResponse:
    if not queries.sees_all(request.user):
        raise PermissionDenied
    if not (2000 <= year <= 2099 and 1 <= quarter <= 4):
        raise DomainError(_("Choose a year and a quarter."))
    return file_response(
        f"risk-assessment-{year}Q{quarter}.docx", DOCX, company_docx(year, quarter)
    )


@login_required
def assessment_export(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = queries.get_assessment_for(request.user, pk)
    content = register_workbook(assessment.risks.select_related("assessment__department", "owner"))
    return file_response(f"risks-{assessment.pk}.xlsx", XLSX, content)


@login_required
def assessment_import(request: HttpRequest, pk: int) -> HttpResponse:
    """The register from a workbook: check first (dry run), then all rows or none."""
    assessment = queries.get_assessment_for(request.user, pk, write=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = import_register(
                actor=request.user,
                assessment=assessment,
                content=form.cleaned_data["file"].read(),
                dry_run=form.cleaned_data["dry_run"],
            )
        except AccessDenied:
            raise
        except DomainError as exc:
            form.add_error("file", str(exc.message))
        if result is not None and result.committed:
            messages.success(
                request, _("%(n)d risks imported.") % {"n": result.created + result.updated}
            )
            return redirect("risks:assessment", pk=pk)
    return render(
        request,
        "risks/import.html",
        {
            "form": form,
            "assessment": assessment,
            "result": result,
        },
        status=400 if result is not None and result.errors else 200,
    )
